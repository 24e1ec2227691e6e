namespace Attest.Tpm.EventLog.Facts;

/// <summary>
/// What a boot measured, as policies and the attestation history need it. Plain, JSON-serialisable
/// (System.Text.Json) records: digests are lowercase hex keyed by bank name (sha1, sha256, ...).
/// </summary>
/// <param name="FromVerifiedEventsOnly">True when built from events proven by replay against a quote; false for an unverified log.</param>
public sealed record BootFacts(
    bool FromVerifiedEventsOnly,
    byte StartupLocality,
    IReadOnlyList<string> CrtmVersions,
    IReadOnlyList<FirmwareBlobFact> FirmwareBlobs,
    SecureBootFacts SecureBoot,
    IReadOnlyList<AuthorityFact> AuthoritiesUsed,
    string? SbatLevel,
    IReadOnlyList<ushort>? BootOrder,
    IReadOnlyList<BootEntryFact> BootEntries,
    IReadOnlyList<ImageFact> BootApplications,
    IReadOnlyList<ImageFact> Drivers,
    string? KernelCommandLine,
    IReadOnlyList<string> KernelCommandLines,
    IReadOnlyList<InitrdFact> Initrds,
    IReadOnlyList<SeparatorFact> Separators,
    IReadOnlyList<UnusualEventFact> UnusualEvents);

/// <summary>A measured firmware region (EV_EFI_PLATFORM_FIRMWARE_BLOB(2), EV_POST_CODE(2), EV_S_CRTM_CONTENTS).</summary>
public sealed record FirmwareBlobFact(int EventIndex, uint Pcr, string EventType, ulong? BlobBase, ulong? BlobLength, string? Description, IReadOnlyDictionary<string, string> Digests);

/// <summary>Secure Boot state from the PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG events; null where the log did not measure it.</summary>
public sealed record SecureBootFacts(
    bool? Enabled,
    bool? SetupMode,
    bool? AuditMode,
    bool? DeployedMode,
    SignatureDatabaseFacts? Pk,
    SignatureDatabaseFacts? Kek,
    SignatureDatabaseFacts? Db,
    SignatureDatabaseFacts? Dbx);

/// <summary>The content of PK/KEK/db/dbx: certificates (subject, SHA-256 thumbprint) and hashes.</summary>
public sealed record SignatureDatabaseFacts(IReadOnlyList<CertificateFact> Certificates, int HashCount, IReadOnlyList<string> Hashes, string? DecodeError);

public sealed record CertificateFact(string? Subject, string? Issuer, string Sha256Thumbprint, Guid Owner, string? Error);

/// <summary>
/// An EV_EFI_VARIABLE_AUTHORITY event: the db (or shim/MOK) entry that allowed an image to run.
/// <see cref="AfterSeparator"/> says it came after PCR 7's separator, i.e. it authorised a boot-time image.
/// <see cref="DataVerified"/> is false when the logged certificate is not what the digest covers (shim's quirk):
/// the digest is still proven, but subject and thumbprint are only the log's claim.
/// </summary>
public sealed record AuthorityFact(int EventIndex, string VariableName, string? Subject, string? Sha256Thumbprint, string? Hash, bool AfterSeparator, bool DataVerified)
{
    /// <summary>For one-byte authority switches shim measures (MokListTrusted): the value.</summary>
    public byte? Value { get; init; }
}

public sealed record BootEntryFact(int EventIndex, string Name, string? Description, string? DevicePath, bool? Active, string? DecodeError);

/// <summary>
/// An EFI image measured into a PCR (EV_EFI_BOOT_SERVICES_APPLICATION/DRIVER, RUNTIME_DRIVER). The
/// digests are the image's Authenticode hashes (PFP 1.06 §10.4.4), which is what policies pin.
/// <see cref="Role"/> is a file-name heuristic (shim, grub, systemd-boot, kernel, other), for display.
/// </summary>
public sealed record ImageFact(int EventIndex, uint Pcr, string EventType, string? DevicePath, ulong? ImageLength, string Role, IReadOnlyDictionary<string, string> Digests);

/// <summary>An initrd: from GRUB's PCR 9 file events, systemd's "Linux initrd" tag, or an initrd= argument.</summary>
public sealed record InitrdFact(int EventIndex, string Source, string? Path, IReadOnlyDictionary<string, string>? Digests);

public sealed record SeparatorFact(int EventIndex, uint Pcr, string Value, bool IsError);

public sealed record UnusualEventFact(int EventIndex, uint Pcr, string EventType, string Reason);
