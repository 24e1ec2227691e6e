namespace Attest.Registrar.Storage;

/// <summary>A row of <c>nodes</c>.</summary>
internal sealed class NodeRow
{
    public string NodeId { get; init; } = "";
    public string? SystemUuid { get; init; }
    public string? Serial { get; init; }
    public byte[] EkPublic { get; init; } = [];
    public string EkName { get; init; } = "";
    public byte[]? EkCertificate { get; init; }
    public string? EkSummary { get; init; }
    public string State { get; init; } = "";
    public long EnrolledAt { get; init; }
    public long UpdatedAt { get; init; }
}

/// <summary>A row of <c>attestation_keys</c>.</summary>
internal sealed class AttestationKeyRow
{
    public string EnrollmentId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string AkName { get; init; } = "";
    public byte[] AkPublic { get; init; } = [];
    public string State { get; init; } = "";
    public byte[]? ChallengeSecret { get; init; }
    public long ChallengeExpiresAt { get; init; }
    public long CreatedAt { get; init; }
    public long? ActivatedAt { get; init; }
}

internal sealed class NodeEventRow
{
    public string Kind { get; init; } = "";
    public string Actor { get; init; } = "";
    public string Detail { get; init; } = "";
    public long At { get; init; }
}

/// <summary>States of a node and of its attestation keys.</summary>
internal static class States
{
    public const string Enrolled = "enrolled";
    public const string Revoked = "revoked";
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Retired = "retired";
}
