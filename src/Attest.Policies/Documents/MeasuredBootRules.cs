namespace Attest.Policies.Documents;

// The typed form of a measured-boot policy (policies/schema/measured-boot.schema.json). Absent sections impose
// nothing: a policy says only what it cares about. Digests are lowercase hex without algorithm prefix.

public sealed record MeasuredBootRules
{
    public IReadOnlyList<string>? PcrBanks { get; init; }

    public PcrRules? Pcrs { get; init; }

    public SecureBootRules? SecureBoot { get; init; }

    public FirmwareRules? Firmware { get; init; }

    public BootApplicationRules? BootApplications { get; init; }

    public KernelRules? Kernel { get; init; }
}

public sealed record PcrRules
{
    public IReadOnlyList<ExactPcr>? Exact { get; init; }

    /// <summary>PCRs whose events the other rules judge: each must be proven by replay, or the rules would judge claims.</summary>
    public IReadOnlyList<int>? EventRules { get; init; }
}

public sealed record ExactPcr(int Pcr, string Bank, string Value);

public sealed record SecureBootRules
{
    public bool Required { get; init; }

    public IReadOnlyList<string>? Pk { get; init; }

    public IReadOnlyList<string>? Kek { get; init; }

    public IReadOnlyList<string>? Db { get; init; }

    public DbxRules? Dbx { get; init; }
}

public sealed record DbxRules
{
    public IReadOnlyList<string>? RequiredHashes { get; init; }

    public int? MinimumHashCount { get; init; }
}

/// <summary>
/// Platform firmware. <see cref="Catalog"/> names an approved-firmware catalog (issue 6) whose releases are allowed in
/// addition to the versions and digests listed here; the evaluator asks an <see cref="Evaluation.IFirmwareCatalog"/>.
/// </summary>
public sealed record FirmwareRules
{
    public string? Catalog { get; init; }

    public IReadOnlyList<string>? CrtmVersions { get; init; }

    public IReadOnlyList<string>? BlobDigests { get; init; }
}

public sealed record BootApplicationRules
{
    /// <summary>Authenticode digests (PE image hashes, any bank) of the EFI applications allowed to run.</summary>
    public IReadOnlyList<string>? Digests { get; init; }

    /// <summary>SHA-256 thumbprints of the db/MOK certificates allowed to authorise boot-time images.</summary>
    public IReadOnlyList<string>? Authorities { get; init; }
}

public sealed record KernelRules
{
    public CommandLineRules? CommandLine { get; init; }

    public InitrdRules? Initrds { get; init; }
}

/// <summary>Patterns are <c>key</c>, <c>key=value</c> or globs over a whole argument (<c>init=*</c>, <c>console=tty*</c>).</summary>
public sealed record CommandLineRules
{
    public IReadOnlyList<string>? Required { get; init; }

    public IReadOnlyList<string>? Forbidden { get; init; }

    public IReadOnlyList<string>? Allowed { get; init; }
}

public sealed record InitrdRules
{
    public IReadOnlyList<string>? Digests { get; init; }

    public IReadOnlyList<string>? Paths { get; init; }
}
