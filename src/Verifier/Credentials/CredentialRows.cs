namespace Attest.Verifier.Credentials;

internal static class CredentialStates
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

internal sealed class AgentTokenRow
{
    public string TokenId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string AttestationId { get; init; } = "";
    public string AkName { get; init; } = "";
    public string TokenHash { get; init; } = "";
    public string Delivery { get; init; } = "";
    public string State { get; init; } = "";
    public long CreatedAt { get; init; }
    public long ExpiresAt { get; init; }
    public long? RevokedAt { get; init; }
    public string? RevokedReason { get; init; }
}

internal sealed class IssuedCertificateRow
{
    public string Serial { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string AttestationId { get; init; } = "";
    public string AkName { get; init; } = "";
    public string Subject { get; init; } = "";
    public byte[] Certificate { get; init; } = [];
    public string State { get; init; } = "";
    public long NotBefore { get; init; }
    public long NotAfter { get; init; }
    public long CreatedAt { get; init; }
    public long? RevokedAt { get; init; }
    public string? RevokedReason { get; init; }
}
