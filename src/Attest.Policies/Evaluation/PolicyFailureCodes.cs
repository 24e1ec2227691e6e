namespace Attest.Policies.Evaluation;

/// <summary>
/// Every code a policy can reject with, what it means and what to do about it. docs/policies.md lists the same
/// table (a test keeps them in step); the explanation renderer prints the advice.
/// </summary>
public static class PolicyFailureCodes
{
    public const string Unavailable = "policy.unavailable";
    public const string EvidenceMissing = "policy.evidence_missing";
    public const string PcrBankNotAllowed = "policy.pcr_bank_not_allowed";
    public const string PcrNotQuoted = "policy.pcr_not_quoted";
    public const string PcrValueMismatch = "policy.pcr_value_mismatch";
    public const string PcrNotVerified = "policy.pcr_not_verified";
    public const string SecureBootDisabled = "policy.secureboot_disabled";
    public const string SecureBootSetupMode = "policy.secureboot_setup_mode";
    public const string SecureBootVariableMissing = "policy.secureboot_variable_missing";
    public const string PkNotAllowed = "policy.pk_not_allowed";
    public const string KekEntryNotAllowed = "policy.kek_entry_not_allowed";
    public const string DbEntryNotAllowed = "policy.db_entry_not_allowed";
    public const string DbxHashMissing = "policy.dbx_hash_missing";
    public const string DbxTooOld = "policy.dbx_too_old";
    public const string FirmwareVersionNotAllowed = "policy.firmware_version_not_allowed";
    public const string FirmwareBlobNotAllowed = "policy.firmware_blob_not_allowed";
    public const string FirmwareCatalogUnavailable = "policy.firmware_catalog_unavailable";
    public const string BootApplicationNotAllowed = "policy.boot_application_not_allowed";
    public const string BootAuthorityNotAllowed = "policy.boot_authority_not_allowed";
    public const string KernelCommandLineMissing = "policy.kernel_command_line_missing";
    public const string KernelArgumentForbidden = "policy.kernel_argument_forbidden";
    public const string KernelArgumentMissing = "policy.kernel_argument_missing";
    public const string KernelArgumentNotAllowed = "policy.kernel_argument_not_allowed";
    public const string InitrdNotAllowed = "policy.initrd_not_allowed";
    public const string ImaLogMissing = "policy.ima_log_missing";
    public const string ImaViolation = "policy.ima_violation";
    public const string ImaFileNotAllowed = "policy.ima_file_not_allowed";
    public const string ImaDigestNotAllowed = "policy.ima_digest_not_allowed";
    public const string ImaDigestDenied = "policy.ima_digest_denied";
    public const string ImaSignatureInvalid = "policy.ima_signature_invalid";
    public const string ImaBufferNotAllowed = "policy.ima_buffer_not_allowed";

    /// <summary>Code → (meaning, what to do). The explanation renderer and the guide read this.</summary>
    public static readonly IReadOnlyDictionary<string, (string Meaning, string Remedy)> Catalog = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [Unavailable] = ("a policy bound to the node could not be loaded by the verifier, so the node is failed rather than judged by fewer rules", "re-upload the policy (policy validate shows why it no longer loads) or unbind it"),
        [EvidenceMissing] = ("the policy needs evidence the node did not send or the verifier could not prove (no event log, or no event proven by the quote)", "make the node send its event log and quote the PCRs the policy governs"),
        [PcrBankNotAllowed] = ("no PCR was proven in a bank the policy accepts (e.g. only SHA-1 was quoted)", "enable the bank in firmware or quote it; or add the bank to pcrBanks if it is acceptable"),
        [PcrNotQuoted] = ("a PCR the policy pins exactly was not in the quote", "quote that PCR (session PCR selection) or remove the exact rule"),
        [PcrValueMismatch] = ("a PCR pinned to an exact value has another value", "if the change is sanctioned (firmware update, new config), update the value; otherwise investigate the node"),
        [PcrNotVerified] = ("a PCR governed by event rules did not replay to its quoted value, or was not quoted, so its events cannot be judged", "quote the PCR; if it mismatches, the log was altered or is incomplete: treat the node as suspect"),
        [SecureBootDisabled] = ("Secure Boot is required but the log shows it off (or never measured)", "enable Secure Boot in firmware setup and re-attest"),
        [SecureBootSetupMode] = ("the platform is in Setup Mode: anyone can enrol keys", "enrol a PK (leave Setup Mode) and re-attest"),
        [SecureBootVariableMissing] = ("the policy restricts PK/KEK/db/dbx but the log did not measure that variable", "check the firmware measures Secure Boot variables into PCR 7; quote PCR 7"),
        [PkNotAllowed] = ("the Platform Key is not one the policy lists", "if the vendor rotated the PK, add its thumbprint; otherwise the platform owner changed: investigate"),
        [KekEntryNotAllowed] = ("a KEK certificate is not in the policy", "add the thumbprint if the KEK update is sanctioned (e.g. Microsoft KEK 2023)"),
        [DbEntryNotAllowed] = ("db holds a certificate or hash the policy does not allow: it could authorise other boot code", "remove the entry from db, or add its thumbprint if it is sanctioned"),
        [DbxHashMissing] = ("a revocation the policy requires is missing from dbx (e.g. a vulnerable bootloader)", "apply the dbx update (fwupd / vendor tool) and re-attest"),
        [DbxTooOld] = ("dbx has fewer hashes than the policy's minimum: revocation updates are missing", "apply the current dbx update"),
        [FirmwareVersionNotAllowed] = ("the CRTM/firmware version string is not approved", "update the firmware to an approved release, or add the version after vetting it"),
        [FirmwareBlobNotAllowed] = ("a measured firmware volume has a digest the policy does not list", "compare with the vendor's published digests; add it only for a vetted release"),
        [FirmwareCatalogUnavailable] = ("the policy refers to a firmware catalog the verifier does not have", "load the catalog (policies/firmware/) or fix its name"),
        [BootApplicationNotAllowed] = ("an EFI application (shim, bootloader, kernel) with an unlisted Authenticode digest ran", "add the digest of the vetted build (attestctl policy generate shows it); otherwise investigate"),
        [BootAuthorityNotAllowed] = ("a boot-time image was authorised by a db/MOK entry the policy does not trust", "remove the MOK/db entry or add its thumbprint"),
        [KernelCommandLineMissing] = ("command-line rules exist but no kernel command line was measured", "boot through a bootloader that measures the command line (GRUB, systemd-boot, UKI)"),
        [KernelArgumentForbidden] = ("a forbidden kernel argument is present", "remove it from the boot entry; it may disable protections"),
        [KernelArgumentMissing] = ("a required kernel argument is absent", "add it to the boot entry"),
        [KernelArgumentNotAllowed] = ("an argument outside the allowed set is present", "remove it, or allow it in the policy"),
        [InitrdNotAllowed] = ("an initrd with an unlisted digest or path was loaded", "add the vetted initrd's digest, or investigate"),
        [ImaLogMissing] = ("a runtime policy applies but no IMA log was proven", "send the IMA log and quote PCR 10"),
        [ImaViolation] = ("IMA recorded a violation (file changed while measured): what ran is unknown", "find the writer (ToMToU/open-writers) or set allowViolations after review"),
        [ImaFileNotAllowed] = ("a file that is not on the allowlist was measured", "add its path and digest, or exclude the path, after vetting"),
        [ImaDigestNotAllowed] = ("a listed file had a digest other than the allowed ones", "an update changed it: add the new digest; otherwise it was modified"),
        [ImaDigestDenied] = ("a file with a denied digest was measured", "remove the file and investigate how it got there"),
        [ImaSignatureInvalid] = ("an ima-sig signature names a trusted key but does not verify", "the file or its signature was altered: investigate"),
        [ImaBufferNotAllowed] = ("an ima-buf measurement (keyring certificate, kexec command line …) is not allowed", "add the buffer's digest to the matching buffers rule after vetting"),
    };
}
