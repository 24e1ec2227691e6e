namespace Attest.Verifier.Policies;

// Rows of the 0002_policies tables (snake_case columns map by Dapper's MatchNamesWithUnderscores, set in Database).

internal sealed class PolicyRow
{
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public long? ActiveRevision { get; init; }
    public long LatestRevision { get; init; }
    public long UpdatedAt { get; init; }
}

internal sealed class PolicyRevisionRow
{
    public string Name { get; init; } = "";
    public long Revision { get; init; }
    public string Kind { get; init; } = "";
    public string Version { get; init; } = "";
    public string Description { get; init; } = "";
    public string Document { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Sha256 { get; init; } = "";
    public string UploadedBy { get; init; } = "";
    public long CreatedAt { get; init; }
    public long? ActiveRevision { get; init; }
}

internal sealed class PolicyBindingRow
{
    public string BindingId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Selector { get; init; } = "";
    public string Value { get; init; } = "";
    public string CreatedBy { get; init; } = "";
    public long CreatedAt { get; init; }
}

internal sealed class PolicyAuditRow
{
    public string AuditId { get; init; } = "";
    public long At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string? Name { get; init; }
    public long? Revision { get; init; }
    public string Detail { get; init; } = "";
}

/// <summary>An attestation with its retained raw evidence, for dry-runs.</summary>
internal sealed class StoredEvidenceRow
{
    public string AttestationId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string Pcrs { get; init; } = "{}";
    public long Clock { get; init; }
    public long CreatedAt { get; init; }
    public byte[]? EventLog { get; init; }
    public byte[]? ImaLog { get; init; }
}
