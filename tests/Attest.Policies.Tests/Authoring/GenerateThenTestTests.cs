using Attest.Policies.Authoring;
using Attest.Policies.Evaluation;
using Attest.Tpm.Tests.EventLog;
using Attest.Tpm.Tests.TestData;
using static Attest.Policies.Tests.Support.Kit;

namespace Attest.Policies.Tests.Authoring;

/// <summary>A policy generated from a known-good log accepts that log, and names the rule and event when one event changes.</summary>
public sealed class GenerateThenTestTests
{
    public static TheoryData<string> RealLogs() =>
    [
        "event-arch-linux.bin", "event-bootorder.bin", "event-gce-ubuntu-2104-log.bin", "event-moklisttrusted.bin", "event-postcode.bin",
        "event-sd-boot-fedora37.bin", "event-uefi-sha1-log.bin", "event-uefiaction.bin", "event-uefiservices.bin", "event-uefivar.bin", "event.bin",
    ];

    [SharedTestDataTheory]
    [MemberData(nameof(RealLogs))]
    public void Policy_generated_from_a_real_log_accepts_that_log(string file)
    {
        var evidence = EvidenceBuilder.Build(File.ReadAllBytes(SharedTestData.Path("eventlogs", file)), null, null);
        var yaml = PolicyGenerator.MeasuredBoot(evidence, file, "generated");
        var policy = Load(yaml, "generated.yaml");
        var verdict = PolicyEvaluator.Evaluate(policy, evidence);
        Assert.True(verdict.Passed, ExplanationRenderer.Render(verdict) + "\n" + yaml);
    }

    [Fact]
    public void Policy_generated_from_the_simulated_boot_accepts_it_and_comments_say_where_entries_came_from()
    {
        var evidence = Evidence(TypicalBoot());
        var yaml = PolicyGenerator.MeasuredBoot(evidence, "typical.bin", "simulated");
        Assert.Contains("# event 20: shim", yaml, StringComparison.Ordinal);
        Assert.Contains("EV_S_CRTM_VERSION", yaml, StringComparison.Ordinal);
        Assert.True(PolicyEvaluator.Evaluate(Load(yaml), evidence).Passed);
    }

    [Fact]
    public void Changing_one_event_fails_with_an_explanation_naming_the_rule_and_the_event()
    {
        var yaml = PolicyGenerator.MeasuredBoot(Evidence(TypicalBoot()), "typical.bin", "simulated");
        var policy = Load(yaml, "simulated.yaml");
        // Another grub build: event 21 (writer index 20) measures different image bytes.
        var tampered = With(TypicalBoot(), 20, 4, Tpm.EventLog.TcgEventType.EfiBootServicesApplication,
            EventLogWriter.ImageLoad(0x3000, 0x2000, EventLogWriter.FilePath("\\EFI\\debian\\grubx64.efi")), EventLogWriter.Ascii("patched grub image"));
        var verdict = PolicyEvaluator.Evaluate(policy, Evidence(tampered));
        var finding = Assert.Single(verdict.Findings);
        Assert.Equal(PolicyFailureCodes.BootApplicationNotAllowed, finding.Code);
        Assert.Equal(21, finding.Event!.Index);
        var text = ExplanationRenderer.Render(verdict);
        Assert.Contains("/bootApplications/digests at simulated.yaml:", text, StringComparison.Ordinal);
        Assert.Contains("event 21 (PCR 4, EV_EFI_BOOT_SERVICES_APPLICATION)", text, StringComparison.Ordinal);
        Assert.Contains($"actual:   sha256:{Sha256("patched grub image")}", text, StringComparison.Ordinal);
    }

    [SharedTestDataFact]
    public void Booting_a_real_log_with_init_on_the_command_line_fails_naming_the_rule_and_the_event()
    {
        var bytes = File.ReadAllBytes(SharedTestData.Path("eventlogs", "event-gce-ubuntu-2104-log.bin"));
        var evidence = EvidenceBuilder.Build(bytes, null, null);
        var policy = Load(PolicyGenerator.MeasuredBoot(evidence, "gce", "gce"), "gce.yaml");

        // The same boot, re-written event by event, except that GRUB measured a command line with init=/bin/bash.
        var log = Tpm.EventLog.EventLogParser.Parse(bytes);
        var w = new EventLogWriter([.. log.Banks.Select(b => b.Algorithm)]);
        var changed = -1;
        foreach (var e in log.Events.Where(e => e.Type != Tpm.EventLog.TcgEventType.NoAction || e.Index > 0))
        {
            var text = System.Text.Encoding.ASCII.GetString(e.Data);
            if (text.StartsWith("kernel_cmdline: ", StringComparison.Ordinal))
            {
                var line = text["kernel_cmdline: ".Length..].TrimEnd('\0') + " init=/bin/bash";
                w.AddMeasuring(e.PcrIndex, e.Type, EventLogWriter.Ascii($"kernel_cmdline: {line}\0"), EventLogWriter.Ascii(line));
                changed = e.Index;
            }
            else
            {
                w.AddWithDigests(e.PcrIndex, e.Type, e.Data, e.Digests.ToDictionary(d => d.Algorithm, d => d.Digest));
            }
        }

        Assert.True(changed > 0);
        var verdict = PolicyEvaluator.Evaluate(policy, EvidenceBuilder.Build(w.ToArray(), null, null));
        var finding = Assert.Single(verdict.Findings, f => f.Code == PolicyFailureCodes.KernelArgumentForbidden);
        Assert.Equal("init=/bin/bash", finding.Actual);
        Assert.StartsWith("/kernel/commandLine/forbidden/", finding.Rule, StringComparison.Ordinal);
        Assert.Equal(8u, finding.Event!.Pcr);
        Assert.Contains("gce.yaml:", ExplanationRenderer.Render(verdict), StringComparison.Ordinal);
    }
}
