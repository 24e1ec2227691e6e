using Attest.Policies.Evaluation;
using Attest.Tpm.Tests.TestData;
using static Attest.Policies.Tests.Support.Kit;

namespace Attest.Policies.Tests.Evaluation;

/// <summary>
/// Rules on real machines' logs (shared/testdata/eventlogs): a RHEL 9 server with Secure Boot and shim
/// (event-moklisttrusted.bin) and a GCE Ubuntu VM with Secure Boot off (event-gce-ubuntu-2104-log.bin).
/// </summary>
public sealed class RealLogRuleTests
{
    private const string MicrosoftUefiCa = "48e99b991f57fc52f76149599bff0a58c47154229b9f8d603ac40d3500248507";
    private const string MicrosoftWindowsPca = "e8e95f0733a55e8bad7be0a1413ee23c51fcea64b3c8fa6a786935fddcc71961";
    private const string RedHatCa5 = "40175d4c7c5ab4bd753a493f47952f1d8dcf1c219b836968a693e48bd4766135";

    private static PolicyEvidence Real(string file) => EvidenceBuilder.Build(File.ReadAllBytes(SharedTestData.Path("eventlogs", file)), null, null);

    private static IReadOnlyList<PolicyFinding> Judge(string rules, string file) => Findings(MeasuredBoot(rules), Real(file));

    [SharedTestDataFact]
    public void Secure_boot_required_passes_the_rhel_server_and_fails_the_vm_with_it_off()
    {
        Assert.Empty(Judge("secureBoot:\n  required: true\n", "event-moklisttrusted.bin"));
        var f = Assert.Single(Judge("secureBoot:\n  required: true\n", "event-gce-ubuntu-2104-log.bin"));
        Assert.Equal(PolicyFailureCodes.SecureBootDisabled, f.Code);
        Assert.Equal(7u, f.Event!.Pcr);
    }

    [SharedTestDataFact]
    public void Db_allowlist_passes_with_both_microsoft_certificates_and_fails_without_one()
    {
        Assert.Empty(Judge($"secureBoot:\n  db: [\"{MicrosoftUefiCa}\", \"{MicrosoftWindowsPca}\"]\n", "event-moklisttrusted.bin"));
        var f = Assert.Single(Judge($"secureBoot:\n  db: [\"{MicrosoftUefiCa}\"]\n", "event-moklisttrusted.bin"));
        Assert.Equal(PolicyFailureCodes.DbEntryNotAllowed, f.Code);
        Assert.Equal(MicrosoftWindowsPca, f.Actual);
        Assert.Contains("Windows Production PCA", f.Message, StringComparison.Ordinal);
    }

    [SharedTestDataFact]
    public void Boot_authorities_pass_microsoft_and_red_hat_and_fail_when_shims_vendor_ca_is_not_trusted()
    {
        Assert.Empty(Judge($"bootApplications:\n  authorities: [\"{MicrosoftUefiCa}\", \"{RedHatCa5}\"]\n", "event-moklisttrusted.bin"));
        var f = Assert.Single(Judge($"bootApplications:\n  authorities: [\"{MicrosoftUefiCa}\"]\n", "event-moklisttrusted.bin"));
        Assert.Equal(PolicyFailureCodes.BootAuthorityNotAllowed, f.Code);
        Assert.Equal(RedHatCa5, f.Actual);
        Assert.Equal("EV_EFI_VARIABLE_AUTHORITY", f.Event!.Type);
    }

    [SharedTestDataFact]
    public void Forbidding_ima_fix_mode_fails_the_rhel_server_naming_its_grub_event()
    {
        Assert.Empty(Judge("kernel:\n  commandLine:\n    forbidden: [init, single]\n", "event-moklisttrusted.bin"));
        var f = Assert.Single(Judge("kernel:\n  commandLine:\n    forbidden: [\"ima_appraise=fix\"]\n", "event-moklisttrusted.bin"));
        Assert.Equal(PolicyFailureCodes.KernelArgumentForbidden, f.Code);
        Assert.Equal("ima_appraise=fix", f.Actual);
        Assert.Equal(8u, f.Event!.Pcr);
    }

    [SharedTestDataFact]
    public void Dbx_minimum_count_fails_a_stale_dbx()
    {
        Assert.Empty(Judge("secureBoot:\n  dbx:\n    minimumHashCount: 1\n", "event-moklisttrusted.bin"));
        Assert.Equal(PolicyFailureCodes.DbxTooOld, Assert.Single(Judge("secureBoot:\n  dbx:\n    minimumHashCount: 371\n", "event-moklisttrusted.bin")).Code);
    }

    [SharedTestDataFact]
    public void Sha1_only_log_fails_a_sha256_bank_policy()
    {
        Assert.Empty(Judge("pcrBanks: [sha1]\n", "event-uefi-sha1-log.bin"));
        Assert.Equal(PolicyFailureCodes.PcrBankNotAllowed, Assert.Single(Judge("pcrBanks: [sha256]\n", "event-uefi-sha1-log.bin")).Code);
    }
}
