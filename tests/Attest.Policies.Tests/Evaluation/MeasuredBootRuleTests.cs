using Attest.Policies.Evaluation;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Tests.EventLog;
using static Attest.Policies.Tests.Support.Kit;

namespace Attest.Policies.Tests.Evaluation;

/// <summary>Every measured-boot rule kind with evidence it accepts and evidence it rejects (simulated TypicalUefiBoot).</summary>
public sealed class MeasuredBootRuleTests
{
    // Writer indices in EventLogWriter.TypicalUefiBoot (0 is the StartupLocality event; the parsed index is one more: the Spec ID header is 0).
    private const int SecureBootEvent = 3;
    private const int DbxEvent = 7;
    private const int KernelCmdlineEvent = 24;

    private static readonly PolicyEvidence Good = Evidence(TypicalBoot());

    private static PolicyFinding Rejects(string rules, PolicyEvidence evidence, string code, IFirmwareCatalog? catalog = null)
    {
        var findings = Findings(MeasuredBoot(rules), evidence, catalog);
        var finding = Assert.Single(findings);
        Assert.Equal(code, finding.Code);
        Assert.Matches(@"^test\.yaml:\d+:\d+$", finding.Location);
        return finding;
    }

    private static void Accepts(string rules, PolicyEvidence? evidence = null, IFirmwareCatalog? catalog = null) =>
        Assert.Empty(Findings(MeasuredBoot(rules), evidence ?? Good, catalog));

    [Fact]
    public void Pcr_banks_accept_a_proven_bank_and_reject_when_none_is_allowed()
    {
        Accepts("pcrBanks: [sha256]\n");
        var f = Rejects("pcrBanks: [sha384]\n", Good, PolicyFailureCodes.PcrBankNotAllowed);
        Assert.Equal("sha256", f.Actual);
    }

    [Fact]
    public void Exact_pcr_accepts_the_quoted_value_and_rejects_another()
    {
        var pcr0 = Convert.ToHexStringLower(Good.QuotedPcrs[TpmAlgId.Sha256][0]);
        Accepts($"pcrs:\n  exact:\n    - {{ pcr: 0, bank: sha256, value: \"{pcr0}\" }}\n");
        var f = Rejects($"pcrs:\n  exact:\n    - {{ pcr: 0, bank: sha256, value: \"{new string('0', 64)}\" }}\n", Good, PolicyFailureCodes.PcrValueMismatch);
        Assert.Equal(pcr0, f.Actual);
        Assert.Equal("/pcrs/exact/0", f.Rule);
        Assert.Equal("test.yaml:7:7", f.Location);
    }

    [Fact]
    public void Event_rule_pcrs_must_be_proven()
    {
        Accepts("pcrs:\n  eventRules: [0, 4, 7, 8]\n");
        var log = TypicalBoot();
        var quoted = log.ExpectedPcrs();
        var without8 = quoted[TpmAlgId.Sha256].Where(p => p.Key != 8).ToDictionary(p => p.Key, p => p.Value);
        quoted[TpmAlgId.Sha256] = without8;
        var evidence = EvidenceBuilder.Build(log.ToArray(), null, quoted);
        var f = Rejects("pcrs:\n  eventRules: [0, 4, 7, 8]\n", evidence, PolicyFailureCodes.PcrNotVerified);
        Assert.Equal("/pcrs/eventRules/3", f.Rule);
    }

    [Fact]
    public void Secure_boot_required_rejects_a_boot_with_it_off_and_names_the_event()
    {
        Accepts("secureBoot:\n  required: true\n");
        var off = With(TypicalBoot(), SecureBootEvent, 7, TcgEventType.EfiVariableDriverConfig,
            EventLogWriter.UefiVariable(new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c"), "SecureBoot", [0]));
        var f = Rejects("secureBoot:\n  required: true\n", Evidence(off), PolicyFailureCodes.SecureBootDisabled);
        Assert.Equal(new EventRef(SecureBootEvent + 1, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG"), f.Event);
        Assert.Equal("disabled", f.Actual);
        Accepts("secureBoot:\n  required: false\n", Evidence(off));
    }

    [Fact]
    public void Secure_boot_required_rejects_setup_mode()
    {
        var setupMode = new EventLogWriter(TpmAlgId.Sha256).Add(7, TcgEventType.EfiVariableDriverConfig,
            EventLogWriter.UefiVariable(new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c"), "SetupMode", [1])).Events[0];
        var evidence = Evidence(TypicalBoot().Clone().Insert(SecureBootEvent + 1, setupMode));
        var f = Rejects("secureBoot:\n  required: true\n", evidence, PolicyFailureCodes.SecureBootSetupMode);
        Assert.Equal(SecureBootEvent + 2, f.Event!.Index);
    }

    [Theory]
    [InlineData("pk", PolicyFailureCodes.PkNotAllowed)]
    [InlineData("kek", PolicyFailureCodes.KekEntryNotAllowed)]
    [InlineData("db", PolicyFailureCodes.DbEntryNotAllowed)]
    public void Key_databases_accept_listed_thumbprints_and_reject_others(string variable, string code)
    {
        Accepts($"secureBoot:\n  {variable}: [\"{TestCertificates.DbThumbprint}\"]\n");
        var f = Rejects($"secureBoot:\n  {variable}: [\"{new string('1', 64)}\"]\n", Good, code);
        Assert.Equal(TestCertificates.DbThumbprint, f.Actual);
        Assert.Equal(7u, f.Event!.Pcr);
    }

    [Fact]
    public void Dbx_required_hashes_must_be_present()
    {
        Accepts($"secureBoot:\n  dbx:\n    requiredHashes: [\"{new string('0', 64)}\", \"{string.Concat(Enumerable.Repeat("ab", 32))}\"]\n");
        var f = Rejects($"secureBoot:\n  dbx:\n    requiredHashes: [\"{new string('c', 64)}\"]\n", Good, PolicyFailureCodes.DbxHashMissing);
        Assert.Equal(DbxEvent + 1, f.Event!.Index);
    }

    [Fact]
    public void Dbx_minimum_hash_count_rejects_an_old_dbx()
    {
        Accepts("secureBoot:\n  dbx:\n    minimumHashCount: 2\n");
        var f = Rejects("secureBoot:\n  dbx:\n    minimumHashCount: 3\n", Good, PolicyFailureCodes.DbxTooOld);
        Assert.Equal("2", f.Actual);
    }

    [Fact]
    public void Firmware_versions_accept_the_listed_crtm_and_reject_another()
    {
        Accepts("firmware:\n  crtmVersions: [\"1.2.3\"]\n");
        var f = Rejects("firmware:\n  crtmVersions: [\"2.0.0\"]\n", Good, PolicyFailureCodes.FirmwareVersionNotAllowed);
        Assert.Equal("1.2.3", f.Actual);
        Assert.Equal("EV_S_CRTM_VERSION", f.Event!.Type);
    }

    [Fact]
    public void Firmware_blobs_accept_listed_digests_and_reject_others()
    {
        Accepts($"firmware:\n  blobDigests: [\"{Sha256("firmware volume")}\"]\n");
        var f = Rejects($"firmware:\n  blobDigests: [\"{Sha256("other volume")}\"]\n", Good, PolicyFailureCodes.FirmwareBlobNotAllowed);
        Assert.Equal($"sha256:{Sha256("firmware volume")}", f.Actual);
    }

    private sealed class Catalog(string name, FirmwareCatalogEntries entries) : IFirmwareCatalog
    {
        public FirmwareCatalogEntries? Find(string n) => n == name ? entries : null;
    }

    [Fact]
    public void Firmware_catalog_releases_are_allowed_and_a_missing_catalog_rejects()
    {
        var catalog = new Catalog("vendor-x", new FirmwareCatalogEntries(["1.2.3"], [Sha256("firmware volume")]));
        Accepts("firmware:\n  catalog: vendor-x\n", Good, catalog);
        Rejects("firmware:\n  catalog: vendor-y\n", Good, PolicyFailureCodes.FirmwareCatalogUnavailable, catalog);
        var older = new Catalog("vendor-x", new FirmwareCatalogEntries(["1.0.0"], [Sha256("firmware volume")]));
        Rejects("firmware:\n  catalog: vendor-x\n", Good, PolicyFailureCodes.FirmwareVersionNotAllowed, older);
    }

    [Fact]
    public void Boot_applications_accept_listed_authenticode_digests_and_reject_an_unlisted_kernel()
    {
        Accepts($"bootApplications:\n  digests: [\"{Sha256("shim image")}\", \"{Sha256("grub image")}\", \"{Sha256("kernel image")}\"]\n");
        var f = Rejects($"bootApplications:\n  digests: [\"{Sha256("shim image")}\", \"{Sha256("grub image")}\"]\n", Good, PolicyFailureCodes.BootApplicationNotAllowed);
        Assert.Equal("EV_EFI_BOOT_SERVICES_APPLICATION", f.Event!.Type);
        Assert.Equal(4u, f.Event.Pcr);
        Assert.Contains("vmlinuz", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Boot_authorities_accept_the_listed_signer_and_reject_another()
    {
        Accepts($"bootApplications:\n  authorities: [\"{TestCertificates.DbThumbprint}\"]\n");
        var f = Rejects($"bootApplications:\n  authorities: [\"{new string('2', 64)}\"]\n", Good, PolicyFailureCodes.BootAuthorityNotAllowed);
        Assert.Equal("EV_EFI_VARIABLE_AUTHORITY", f.Event!.Type);
    }

    [Fact]
    public void Allowed_signer_does_not_excuse_an_unlisted_build()
    {
        Rejects($"bootApplications:\n  digests: [\"{Sha256("shim image")}\", \"{Sha256("grub image")}\"]\n  authorities: [\"{TestCertificates.DbThumbprint}\"]\n",
            Good, PolicyFailureCodes.BootApplicationNotAllowed);
    }

    [Fact]
    public void Forbidden_kernel_argument_rejects_and_names_the_command_line_event()
    {
        Accepts("kernel:\n  commandLine:\n    forbidden: [init, single, \"console=tty*\"]\n");
        var f = Rejects("kernel:\n  commandLine:\n    forbidden: [init, ro]\n", Good, PolicyFailureCodes.KernelArgumentForbidden);
        Assert.Equal("/kernel/commandLine/forbidden/1", f.Rule);
        Assert.Equal("ro", f.Actual);
        Assert.Equal(8u, f.Event!.Pcr);
    }

    [Fact]
    public void Forbidden_key_matches_any_value_of_that_key()
    {
        var shell = With(TypicalBoot(), KernelCmdlineEvent, 8, TcgEventType.Ipl,
            EventLogWriter.Ascii("kernel_cmdline: /vmlinuz root=/dev/sda1 ro init=/bin/sh\0"));
        var f = Rejects("kernel:\n  commandLine:\n    forbidden: [init]\n", Evidence(shell), PolicyFailureCodes.KernelArgumentForbidden);
        Assert.Equal("init=/bin/sh", f.Actual);
        Assert.Equal(KernelCmdlineEvent + 1, f.Event!.Index);
    }

    [Fact]
    public void Required_kernel_argument_must_be_present()
    {
        Accepts("kernel:\n  commandLine:\n    required: [\"root=/dev/sda1\", ro]\n");
        var f = Rejects("kernel:\n  commandLine:\n    required: [ro, \"lockdown=integrity\"]\n", Good, PolicyFailureCodes.KernelArgumentMissing);
        Assert.Equal("lockdown=integrity", f.Expected);
    }

    [Fact]
    public void Allowed_kernel_arguments_reject_anything_else()
    {
        Accepts("kernel:\n  commandLine:\n    allowed: [\"root=/dev/sd*\", ro]\n");
        var f = Rejects("kernel:\n  commandLine:\n    allowed: [ro]\n", Good, PolicyFailureCodes.KernelArgumentNotAllowed);
        Assert.Equal("root=/dev/sda1", f.Actual);
    }

    [Fact]
    public void Initrds_accept_listed_digests_or_paths_and_reject_others()
    {
        Accepts($"kernel:\n  initrds:\n    digests: [\"{Sha256("initrd content")}\"]\n");
        Accepts("kernel:\n  initrds:\n    paths: [\"/boot/initrd.img-*\"]\n");
        var f = Rejects($"kernel:\n  initrds:\n    digests: [\"{Sha256("other initrd")}\"]\n", Good, PolicyFailureCodes.InitrdNotAllowed);
        Assert.Equal(9u, f.Event!.Pcr);
    }

    [Fact]
    public void Policy_without_event_log_evidence_rejects()
    {
        var f = Assert.Single(Findings(MeasuredBoot("secureBoot:\n  required: true\n"), new PolicyEvidence()));
        Assert.Equal(PolicyFailureCodes.EvidenceMissing, f.Code);
    }

    [Fact]
    public void Events_that_do_not_replay_are_not_judged()
    {
        // A log claiming Secure Boot is on, quoted with a PCR 7 it does not replay to: the claim is not evidence.
        var log = TypicalBoot();
        var quoted = log.ExpectedPcrs();
        quoted[TpmAlgId.Sha256] = quoted[TpmAlgId.Sha256].ToDictionary(p => p.Key, p => p.Key == 7 ? new byte[32] : p.Value);
        var evidence = EvidenceBuilder.Build(log.ToArray(), null, quoted);
        var f = Assert.Single(Findings(MeasuredBoot("secureBoot:\n  required: true\n"), evidence));
        Assert.Equal(PolicyFailureCodes.SecureBootDisabled, f.Code);
        Assert.Equal("not measured", f.Actual);
    }
}
