using System.Collections.Concurrent;
using Attest.Policies.Documents;
using Attest.Policies.Loading;

namespace Attest.Verifier.Policies;

/// <summary>
/// Parsed policies by the SHA-256 of their stored text: a revision never changes, so parsing (and compiling a large
/// IMA allowlist) happens once per revision and process, not once per attestation.
/// </summary>
internal sealed class PolicyCache
{
    private const int MaxEntries = 256;
    private readonly ConcurrentDictionary<string, Policy> _policies = new(StringComparer.Ordinal);

    public Policy Get(PolicyRevisionRow row)
    {
        if (_policies.TryGetValue(row.Sha256, out var cached))
        {
            return cached;
        }

        // Stored revisions passed validation at upload; a failure here means the schema changed under them.
        var result = PolicyLoader.Load(row.Document, row.FileName);
        var policy = result.Policy ?? throw new InvalidOperationException(
            $"stored policy {row.Name} revision {row.Revision} no longer loads: {string.Join("; ", result.Errors)}");
        if (_policies.Count >= MaxEntries)
        {
            _policies.Clear();
        }

        return _policies.GetOrAdd(row.Sha256, policy);
    }
}
