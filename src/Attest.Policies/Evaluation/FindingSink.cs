using Attest.Policies.Documents;

namespace Attest.Policies.Evaluation;

/// <summary>Collects findings for one policy, filling in the policy name and the rule's file position.</summary>
internal sealed class FindingSink(Policy policy)
{
    public List<PolicyFinding> Findings { get; } = [];

    public void Add(string code, string rule, string message, EventRef? at = null, string? expected = null, string? actual = null) =>
        Findings.Add(new PolicyFinding(code, message)
        {
            Policy = $"{policy.Name}@{policy.Version}",
            Rule = rule,
            Location = policy.Locate(rule),
            Event = at,
            Expected = expected,
            Actual = actual,
        });
}
