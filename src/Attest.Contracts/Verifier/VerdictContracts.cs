namespace Attest.Contracts.Verifier;

public static class VerdictResults
{
    public const string Pass = "pass";
    public const string Fail = "fail";
}

/// <summary>One reason a verdict is not a pass, with a stable code (docs/failure-codes.md).</summary>
public sealed record VerdictFailure(string Code, string Message, string? Subject = null, string? Expected = null, string? Actual = null);

/// <summary>The verifier's decision on one attestation. Only the verifier's copy counts: a node's report is never trusted.</summary>
public sealed record Verdict(
    string AttestationId,
    string SessionId,
    string NodeId,
    string Result,
    IReadOnlyList<VerdictFailure> Failures,
    IReadOnlyList<string> Warnings,
    string EvidenceDigest,
    int? BaselineVersion,
    DateTimeOffset At)
{
    public bool Passed => Result == VerdictResults.Pass;
}

/// <summary>An entry of a node's attestation history (GET /v1/nodes/{id}/attestations).</summary>
public sealed record AttestationRecord(
    string AttestationId,
    string SessionId,
    string NodeId,
    string Purpose,
    string Result,
    IReadOnlyList<VerdictFailure> Failures,
    IReadOnlyList<string> Warnings,
    string EvidenceDigest,
    string AkName,
    uint ResetCount,
    uint RestartCount,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Pcrs,
    System.Text.Json.JsonElement? Facts,
    int? BaselineVersion,
    DateTimeOffset At);

/// <summary>What changed between two attestations of a node (GET …/attestations/{a}/diff/{b}).</summary>
public sealed record AttestationDiff(
    string From,
    string To,
    IReadOnlyList<ValueChange> Pcrs,
    IReadOnlyList<ValueChange> Facts,
    int ImaEntriesAdded);

/// <param name="Path">What changed: <c>sha256:7</c>, <c>firmware.crtmVersion</c>, <c>secureBoot.db</c> …</param>
public sealed record ValueChange(string Path, string? Before, string? After);

/// <summary>POST /v1/nodes/{id}/baselines — an operator approves an attestation's measurements as the node's baseline.</summary>
public sealed record ApproveBaselineRequest(string AttestationId, string Reason);

public sealed record BaselineRecord(
    string NodeId,
    int Version,
    string AttestationId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Pcrs,
    string ApprovedBy,
    string Reason,
    DateTimeOffset CreatedAt);
