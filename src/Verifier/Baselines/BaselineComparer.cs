
namespace Attest.Verifier.Baselines;

/// <summary>What changed between two measured states (baselines, attestation diffs).</summary>
public static class BaselineComparer
{
    public static IReadOnlyList<Contracts.Verifier.ValueChange> Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(key => new Contracts.Verifier.ValueChange(key, before.GetValueOrDefault(key), after.GetValueOrDefault(key)))
            .Where(change => !string.Equals(change.Before, change.After, StringComparison.Ordinal))
            .ToArray();
}
