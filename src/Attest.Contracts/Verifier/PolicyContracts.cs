namespace Attest.Contracts.Verifier;

// HTTP contracts of the policy lifecycle (/v1/policies, /v1/policy-bindings, /v1/nodes/{id}/groups); docs/policies.md.

/// <summary>Upload a policy document (YAML or JSON text). It becomes the next revision of the policy it names.</summary>
public sealed record UploadPolicyRequest(string Document, string? FileName = null, bool Activate = false, string? Reason = null);

public sealed record PolicyRevisionRecord(
    string Name,
    int Revision,
    string Kind,
    string Version,
    string Description,
    string FileName,
    string Sha256,
    string UploadedBy,
    DateTimeOffset UploadedAt,
    bool Active);

public sealed record PolicyDocumentRecord(PolicyRevisionRecord Revision, string Document);

public sealed record PolicySummary(string Name, string Kind, int? ActiveRevision, int LatestRevision, DateTimeOffset UpdatedAt);

public sealed record ActivatePolicyRequest(int Revision, string? Reason = null);

public sealed record RollbackPolicyRequest(string? Reason = null);

/// <summary>One load error of a rejected upload (also in the problem details' <c>errors</c> member).</summary>
public sealed record PolicyValidationError(string Code, string Message, string Path, int? Line, int? Column);

public static class PolicySelectors
{
    public const string Node = "node";
    public const string Group = "group";
    public const string Default = "default";
}

/// <summary>Bind a policy to nodes: <c>node</c> + node id, <c>group</c> + group name, or <c>default</c> (every node).</summary>
public sealed record PolicyBindingRequest(string Policy, string Selector, string? Value = null);

public sealed record PolicyBindingRecord(string Id, string Policy, string Selector, string Value, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record NodeGroupsRequest(IReadOnlyList<string> Groups);

public sealed record NodeGroupsRecord(string NodeId, IReadOnlyList<string> Groups);

public sealed record PolicyAuditRecord(string Id, DateTimeOffset At, string Actor, string Action, string? Policy, int? Revision, string Detail);

/// <summary>
/// Evaluate a candidate policy against the stored evidence of the last <see cref="LastN"/> attestations of the nodes it
/// would govern: the nodes given, else those bound to the policy of the same name, else every node with evidence.
/// </summary>
public sealed record DryRunRequest(string Document, string? FileName = null, int? LastN = null, IReadOnlyList<string>? Nodes = null);

public sealed record PolicyFindingRecord(string Code, string Message, string Rule, string Location, int? EventIndex, uint? Pcr, string? EventType, string? Expected, string? Actual);

public sealed record DryRunResult(string NodeId, string AttestationId, DateTimeOffset At, bool Evaluated, string? NotEvaluatedBecause, bool WouldPass, IReadOnlyList<PolicyFindingRecord> Findings);

public sealed record DryRunReport(string Policy, int Nodes, int Evaluated, int WouldFail, IReadOnlyList<DryRunResult> Results);
