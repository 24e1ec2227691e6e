using System.Text.Json;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Tests.TestData;

namespace Attest.Tpm.Tests.EventLog;

public class BootFactsTests
{
    private static (TcgEventLog Log, EventLogWriter Writer) Boot()
    {
        var w = EventLogWriter.TypicalUefiBoot(TestCertificates.Db);
        return (EventLogParser.Parse(w.ToArray()), w);
    }

    [Fact]
    public void Typical_boot_facts_name_firmware_secure_boot_keys_and_boot_chain()
    {
        var (log, writer) = Boot();
        var facts = BootFactsExtractor.FromVerified(log, EventLogVerifier.Verify(log, writer.ExpectedPcrs()));

        Assert.True(facts.FromVerifiedEventsOnly);
        Assert.Equal(["1.2.3"], facts.CrtmVersions);
        var blob = Assert.Single(facts.FirmwareBlobs);
        Assert.Equal(0xFF000000UL, blob.BlobBase);
        Assert.Equal(Convert.ToHexStringLower(TpmHash.Compute(TpmAlgId.Sha256, "firmware volume"u8)), blob.Digests["sha256"]);
        Assert.True(facts.SecureBoot.Enabled);
        var db = Assert.Single(facts.SecureBoot.Db!.Certificates);
        Assert.Equal("CN=Attest Test db CA, O=Attest", db.Subject);
        Assert.Equal(TestCertificates.DbThumbprint, db.Sha256Thumbprint);
        Assert.Equal(2, facts.SecureBoot.Dbx!.HashCount);
        var authority = Assert.Single(facts.AuthoritiesUsed);
        Assert.True(authority.AfterSeparator);
        Assert.True(authority.DataVerified);
        Assert.Equal(TestCertificates.DbThumbprint, authority.Sha256Thumbprint);
        Assert.Equal(new ushort[] { 1 }, facts.BootOrder);
        Assert.Equal(["shim", "grub", "kernel"], facts.BootApplications.Select(a => a.Role));
        Assert.Equal(Convert.ToHexStringLower(TpmHash.Compute(TpmAlgId.Sha256, "kernel image"u8)), facts.BootApplications[2].Digests["sha256"]);
        Assert.Equal("\\vmlinuz-6.1.0", facts.BootApplications[2].DevicePath);
        Assert.Equal("/vmlinuz root=/dev/sda1 ro", facts.KernelCommandLine);
        Assert.Contains(facts.Initrds, i => i.Source == "grub_file" && i.Path == "/boot/initrd.img-6.1.0");
        Assert.Equal(8, facts.Separators.Count);
        Assert.DoesNotContain(facts.Separators, s => s.IsError);
        Assert.Empty(facts.UnusualEvents);
    }

    [Fact]
    public void Facts_ignore_events_on_pcrs_that_did_not_replay()
    {
        var (log, writer) = Boot();
        var quoted = writer.ExpectedPcrs();
        quoted[TpmAlgId.Sha256] = new Dictionary<int, byte[]>(quoted[TpmAlgId.Sha256]) { [7] = new byte[32] };

        var facts = BootFactsExtractor.FromVerified(log, EventLogVerifier.Verify(log, quoted));

        Assert.Null(facts.SecureBoot.Enabled);
        Assert.Null(facts.SecureBoot.Db);
        Assert.Empty(facts.AuthoritiesUsed);
        Assert.Equal(3, facts.BootApplications.Count);
    }

    [Fact]
    public void Unverified_facts_say_so()
    {
        var (log, _) = Boot();
        Assert.False(BootFactsExtractor.FromUnverified(log).FromVerifiedEventsOnly);
    }

    [Fact]
    public void Error_separator_is_reported_as_unusual()
    {
        var w = new EventLogWriter(TpmAlgId.Sha256).Add(0, TcgEventType.Separator, EventLogWriter.Separator(1));
        var facts = BootFactsExtractor.FromUnverified(EventLogParser.Parse(w.ToArray()));
        Assert.True(Assert.Single(facts.Separators).IsError);
        Assert.Contains(facts.UnusualEvents, u => u.Reason.Contains("error", StringComparison.Ordinal));
    }

    [Fact]
    public void Variable_whose_payload_is_malformed_keeps_the_log_usable()
    {
        var global = new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c");
        var w = new EventLogWriter(TpmAlgId.Sha256)
            .Add(7, TcgEventType.EfiVariableDriverConfig, EventLogWriter.UefiVariable(global, "PK", [1, 2, 3]))
            .Add(7, TcgEventType.Separator, EventLogWriter.Separator());
        var log = EventLogParser.Parse(w.ToArray());

        var facts = BootFactsExtractor.FromVerified(log, EventLogVerifier.Verify(log, w.ExpectedPcrs()));

        Assert.NotNull(facts.SecureBoot.Pk!.DecodeError);
        Assert.Contains(facts.UnusualEvents, u => u.EventIndex == 1);
        Assert.Single(facts.Separators);
    }

    [Fact]
    public void Certificate_that_does_not_parse_is_kept_with_its_thumbprint()
    {
        var security = new Guid("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
        var x509 = new Guid("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
        var notACert = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 };
        var w = new EventLogWriter(TpmAlgId.Sha256).Add(7, TcgEventType.EfiVariableDriverConfig, EventLogWriter.UefiVariable(security, "db", EventLogWriter.SignatureList(x509, Guid.Empty, notACert)));

        var facts = BootFactsExtractor.FromUnverified(EventLogParser.Parse(w.ToArray()));

        var cert = Assert.Single(facts.SecureBoot.Db!.Certificates);
        Assert.Null(cert.Subject);
        Assert.NotNull(cert.Error);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(notACert)), cert.Sha256Thumbprint);
    }

    [Fact]
    public void Facts_round_trip_through_system_text_json()
    {
        var (log, writer) = Boot();
        var facts = BootFactsExtractor.FromVerified(log, EventLogVerifier.Verify(log, writer.ExpectedPcrs()));

        var json = JsonSerializer.Serialize(facts);
        var back = JsonSerializer.Deserialize<BootFacts>(json)!;

        Assert.Equal(json, JsonSerializer.Serialize(back));
        Assert.Equal(facts.KernelCommandLine, back.KernelCommandLine);
    }

    [SharedTestDataFact]
    public void Real_logs_give_the_facts_tpm2_eventlog_shows()
    {
        var gce = Facts("event-gce-ubuntu-2104-log.bin");
        Assert.Equal(["GCE Virtual Firmware v1"], gce.CrtmVersions);
        Assert.False(gce.SecureBoot.Enabled);
        Assert.Contains(gce.SecureBoot.Db!.Certificates, c => c.Subject!.Contains("Microsoft Corporation UEFI CA 2011", StringComparison.Ordinal));
        Assert.Equal(["shim", "grub"], gce.BootApplications.Select(a => a.Role));
        Assert.StartsWith("/boot/vmlinuz-5.11.0-1008-gcp root=PARTUUID=", gce.KernelCommandLine, StringComparison.Ordinal);
        Assert.Equal("sbat,1,2021030218", gce.SbatLevel);

        var postcode = Facts("event-postcode.bin");
        Assert.True(postcode.SecureBoot.Enabled);
        Assert.Equal(77, postcode.SecureBoot.Dbx!.HashCount);
        Assert.Contains(postcode.AuthoritiesUsed, a => a.VariableName == "db" && a.DataVerified);

        var sdboot = Facts("event-sd-boot-fedora37.bin");
        Assert.Equal("console=ttyS0 console=tty0 efi=debug", sdboot.KernelCommandLine);
        Assert.Contains(sdboot.Initrds, i => i.Source == "systemd-tag" && i.Digests!["sha256"] == "643eefa7b731b03df94952db67a4f4774575692fe929c39815c2553f17c0609e");

        var bootorder = Facts("event-bootorder.bin");
        Assert.Equal(new ushort[] { 1, 0, 2 }, bootorder.BootOrder);
        Assert.Contains(bootorder.BootEntries, e => e.Name == "Boot0001" && e.Description == "UEFI Misc Device");
    }

    private static BootFacts Facts(string name)
    {
        var log = EventLogParser.Parse(RealLogs.Read(name));
        return BootFactsExtractor.FromVerified(log, EventLogVerifier.Verify(log, CrossCheckTests.Quoted(RealLogs.Yaml(name))));
    }
}
