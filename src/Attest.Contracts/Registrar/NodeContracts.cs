namespace Attest.Contracts.Registrar;

/// <summary>GET /v1/nodes/{id}: what the registrar knows of a node (the verifier reads the active AK here).</summary>
public sealed record NodeRecord(
    string NodeId,
    string State,
    string? SystemUuid,
    string? Serial,
    byte[] EkPublic,
    string EkName,
    EkCertificateSummary? EkCertificate,
    AttestationKeyRecord? ActiveAttestationKey,
    DateTimeOffset EnrolledAt,
    DateTimeOffset UpdatedAt);

public sealed record EkCertificateSummary(
    string Subject,
    string Issuer,
    string Sha256Thumbprint,
    string? TpmManufacturer,
    string? TpmModel,
    string? TpmVersion,
    IReadOnlyList<string> Chain,
    IReadOnlyList<string> Warnings);

public sealed record AttestationKeyRecord(string EnrollmentId, string Name, byte[] Public, string State, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt);

/// <summary>An entry of a node's audit trail (enrolled, activated, EK replaced, refused …).</summary>
public sealed record NodeEvent(string Kind, string Actor, string Detail, DateTimeOffset At);
