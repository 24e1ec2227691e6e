namespace Attest.Verifier.Storage;

internal sealed class SessionRow
{
    public string SessionId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public byte[] Nonce { get; init; } = [];
    public string PcrSelection { get; init; } = "";
    public string Purpose { get; init; } = "";
    public string OpenedBy { get; init; } = "";
    public string State { get; init; } = "";
    public long CreatedAt { get; init; }
    public long ExpiresAt { get; init; }
    public long? UsedAt { get; init; }
    public string? AttestationId { get; init; }
}

internal sealed class AttestationRow
{
    public string AttestationId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string SessionId { get; init; } = "";
    public string Purpose { get; init; } = "";
    public string Verdict { get; init; } = "";
    public string Failures { get; init; } = "[]";
    public string Warnings { get; init; } = "[]";
    public string EvidenceDigest { get; init; } = "";
    public string AkName { get; init; } = "";
    public long ResetCount { get; init; }
    public long RestartCount { get; init; }
    public long Clock { get; init; }
    public string Pcrs { get; init; } = "{}";
    public string? Facts { get; init; }
    public string? ImaState { get; init; }
    public long? BaselineVersion { get; init; }
    public long CreatedAt { get; init; }
}

internal sealed class EvidenceRow
{
    public string AttestationId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public byte[] Quote { get; init; } = [];
    public byte[] Signature { get; init; } = [];
    public byte[]? EventLog { get; init; }
    public byte[]? ImaLog { get; init; }
    public long CreatedAt { get; init; }
}

internal sealed class BaselineRow
{
    public string NodeId { get; init; } = "";
    public long Version { get; init; }
    public string AttestationId { get; init; } = "";
    public string Pcrs { get; init; } = "{}";
    public string? Facts { get; init; }
    public string ApprovedBy { get; init; } = "";
    public string Reason { get; init; } = "";
    public long CreatedAt { get; init; }
}

internal static class SessionStates
{
    public const string Open = "open";
    public const string Used = "used";
    public const string Expired = "expired";
}
