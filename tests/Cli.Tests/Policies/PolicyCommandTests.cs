using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Tests.EventLog;
using Attest.Tpm.Tests.Ima;
using Attest.Tpm.Tests.TestData;

namespace Attest.Cli.Tests.Policies;

public sealed class PolicyCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static EventLogWriter Boot() => EventLogWriter.TypicalUefiBoot(TestCertificates.Db, TpmAlgId.Sha256);

    private string Evidence(string name, string eventLog, string? imaLog = null) =>
        _cli.File(name, imaLog is null ? $$"""{ "eventLog": "{{eventLog}}" }""" : $$"""{ "eventLog": "{{eventLog}}", "imaLog": "{{imaLog}}" }""");

    [Fact]
    public void Validate_reports_each_error_with_file_line_and_path()
    {
        var file = _cli.File("bad.yaml", "kind: measured-boot\nname: x\nversion: 1\ndescription: d\nsecureBoot:\n  requird: true\n");
        var (code, stdout, _) = _cli.Run("policy", "validate", file);
        Assert.Equal(CliRunner.Failed, code);
        Assert.Contains("bad.yaml:6:3: /secureBoot/requird: unknown key 'requird'", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_accepts_a_valid_policy()
    {
        var file = _cli.File("ok.yaml", "kind: measured-boot\nname: x\nversion: 1\ndescription: d\nsecureBoot:\n  required: true\n");
        Assert.Equal(CliRunner.Ok, _cli.Run("policy", "validate", file).ExitCode);
    }

    [SharedTestDataFact]
    public void Generate_from_a_real_log_then_test_that_log_passes()
    {
        var log = SharedTestData.Path("eventlogs", "event-moklisttrusted.bin");
        File.Copy(log, Path.Combine(_cli.WorkDir, "log.bin"));
        var policy = Path.Combine(_cli.WorkDir, "policy.yaml");
        Assert.Equal(CliRunner.Ok, _cli.Run("policy", "generate", "--from-eventlog", log, "--out", policy, "--name", "rhel9").ExitCode);
        var (code, stdout, _) = _cli.Run("policy", "test", "--policy", policy, "--evidence", Evidence("evidence.json", "log.bin"));
        Assert.True(code == CliRunner.Ok, stdout);
        Assert.Contains("PASS", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_of_a_changed_boot_exits_1_and_explains_the_rule_and_event()
    {
        _cli.File("good.bin", Boot().ToArray());
        var (generated, policyText, _) = _cli.Run("policy", "generate", "--from-eventlog", Path.Combine(_cli.WorkDir, "good.bin"), "--name", "sim");
        Assert.Equal(CliRunner.Ok, generated);
        var policy = _cli.File("sim.yaml", policyText);
        var changed = Boot().Clone().Replace(24, new EventLogWriter(TpmAlgId.Sha256).AddMeasuring(8, Tpm.EventLog.TcgEventType.Ipl,
            EventLogWriter.Ascii("kernel_cmdline: /vmlinuz root=/dev/sda1 ro single\0"), EventLogWriter.Ascii("/vmlinuz root=/dev/sda1 ro single")).Events[0]);
        _cli.File("changed.bin", changed.ToArray());
        var (code, stdout, _) = _cli.Run("policy", "test", "--policy", policy, "--evidence", Evidence("changed.json", "changed.bin"));
        Assert.Equal(CliRunner.Failed, code);
        Assert.Contains("policy.kernel_argument_forbidden", stdout, StringComparison.Ordinal);
        Assert.Contains("/kernel/commandLine/forbidden/", stdout, StringComparison.Ordinal);
        Assert.Contains("sim.yaml:", stdout, StringComparison.Ordinal);
        Assert.Contains("event 25 (PCR 8, EV_IPL)", stdout, StringComparison.Ordinal);
        Assert.Contains("actual:   single", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_with_an_ima_log_writes_a_runtime_policy_that_accepts_it()
    {
        var ima = new ImaLogWriter().AddBootAggregate(SHA256.HashData("agg"u8)).AddImaNg("/usr/bin/bash", SHA256.HashData("bash"u8))
            .AddImaBuf(".builtin_trusted_keys", "cert"u8.ToArray());
        _cli.File("boot.bin", Boot().ToArray());
        _cli.File("ascii_runtime_measurements_sha256", System.Text.Encoding.ASCII.GetBytes(ima.ToAscii(HashAlgorithmName.SHA256)));
        var output = Path.Combine(_cli.WorkDir, "node.yaml");
        var (code, _, stderr) = _cli.Run("policy", "generate", "--from-eventlog", Path.Combine(_cli.WorkDir, "boot.bin"),
            "--ima", Path.Combine(_cli.WorkDir, "ascii_runtime_measurements_sha256"), "--out", output);
        Assert.Equal(CliRunner.Ok, code);
        Assert.Contains("node.runtime.yaml", stderr, StringComparison.Ordinal);
        var (tested, stdout, _) = _cli.Run("policy", "test", "--policy", output, "--policy", Path.Combine(_cli.WorkDir, "node.runtime.yaml"),
            "--evidence", Evidence("e.json", "boot.bin", "ascii_runtime_measurements_sha256"));
        Assert.True(tested == CliRunner.Ok, stdout);
    }

    [Fact]
    public void Test_with_unusable_evidence_exits_2()
    {
        var policy = _cli.File("ok.yaml", "kind: measured-boot\nname: x\nversion: 1\ndescription: d\n");
        var (code, _, stderr) = _cli.Run("policy", "test", "--policy", policy, "--evidence", _cli.File("e.json", """{ "eventLog": "missing.bin" }"""));
        Assert.Equal(CliRunner.Unusable, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_shows_semantic_changes_only()
    {
        var a = _cli.File("a.yaml", "kind: measured-boot\nname: x\nversion: 1\ndescription: d\nkernel:\n  commandLine:\n    forbidden: [init, single]\n");
        var b = _cli.File("b.json", """{"kind":"measured-boot","name":"x","version":1,"description":"d","kernel":{"commandLine":{"forbidden":["single","init"]}}}""");
        var c = _cli.File("c.yaml", "kind: measured-boot\nname: x\nversion: 1\ndescription: d\nkernel:\n  commandLine:\n    forbidden: [init]\n");
        Assert.Equal(CliRunner.Ok, _cli.Run("policy", "diff", a, b).ExitCode);
        var (code, stdout, _) = _cli.Run("policy", "diff", a, c);
        Assert.Equal(CliRunner.Failed, code);
        Assert.Contains("- /kernel/commandLine/forbidden: single  (looser)", stdout, StringComparison.Ordinal);
    }
}
