using Attest.Tpm.Verification;
using Attest.Verifier.Evidence;

namespace Attest.Verifier.Baselines;

/// <summary>Compares an attestation with the node's approved baseline: the configured PCRs exactly, and the measured state.</summary>
public static class BaselineComparer
{
    /// <param name="baselinePcrs">bank → PCR → hex, as approved.</param>
    /// <param name="currentPcrs">bank → PCR → hex, as quoted now.</param>
    public static void Compare(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> baselinePcrs,
        IReadOnlyDictionary<string, string> baselineState,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> currentPcrs,
        IReadOnlyDictionary<string, string> currentState,
        IReadOnlyCollection<int> comparedPcrs,
        VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var (bank, values) in baselinePcrs)
        {
            if (!currentPcrs.TryGetValue(bank, out var current))
            {
                continue;
            }

            foreach (var pcr in comparedPcrs)
            {
                var key = pcr.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (values.TryGetValue(key, out var before) && current.TryGetValue(key, out var after) && !string.Equals(before, after, StringComparison.OrdinalIgnoreCase))
                {
                    result.Fail(AttestationFailureCodes.BaselinePcrChanged, $"{bank} PCR {pcr} differs from the approved baseline", $"{bank}:{pcr}", before, after);
                }
            }
        }

        foreach (var change in Diff(baselineState, currentState))
        {
            result.Fail(AttestationFailureCodes.BaselineFactChanged, $"{change.Path} differs from the approved baseline", change.Path, change.Before, change.After);
        }
    }

    public static IReadOnlyList<Contracts.Verifier.ValueChange> Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(key => new Contracts.Verifier.ValueChange(key, before.GetValueOrDefault(key), after.GetValueOrDefault(key)))
            .Where(change => !string.Equals(change.Before, change.After, StringComparison.Ordinal))
            .ToArray();
}
