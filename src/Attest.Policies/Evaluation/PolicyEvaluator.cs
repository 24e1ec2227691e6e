using System.Runtime.CompilerServices;
using Attest.Policies.Documents;

namespace Attest.Policies.Evaluation;

/// <summary>The verdict of one or more policies on one piece of evidence.</summary>
public sealed record PolicyVerdict(IReadOnlyList<PolicyFinding> Findings, IReadOnlyList<string> Notes)
{
    public bool Passed => Findings.Count == 0;
}

/// <summary>Evaluates policies of any kind. Pure: no I/O, no clock; the same evidence always gives the same findings.</summary>
public static class PolicyEvaluator
{
    // Compiling a 10,000-digest allowlist costs more than judging a log: keep it per loaded policy.
    private static readonly ConditionalWeakTable<Policy, CompiledRuntimeRules> Compiled = [];

    public static PolicyVerdict Evaluate(Policy policy, PolicyEvidence evidence, IFirmwareCatalog? catalog = null) =>
        Evaluate([policy], evidence, catalog);

    public static PolicyVerdict Evaluate(IEnumerable<Policy> policies, PolicyEvidence evidence, IFirmwareCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(evidence);
        var findings = new List<PolicyFinding>();
        foreach (var policy in policies)
        {
            if (policy.MeasuredBoot is { } mb)
            {
                findings.AddRange(new MeasuredBootEvaluator(policy, mb, evidence, catalog).Evaluate());
            }

            if (policy.Runtime is { } rt)
            {
                var compiled = Compiled.GetValue(policy, _ => new CompiledRuntimeRules(rt));
                findings.AddRange(new RuntimeEvaluator(policy, compiled, evidence).Evaluate());
            }
        }

        return new PolicyVerdict(findings, evidence.Notes);
    }
}
