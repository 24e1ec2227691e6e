using System.Collections.Concurrent;
using Attest.Tpm.Objects;
using Attest.Tpm.Signatures;

namespace Attest.Verifier.Evidence;

/// <summary>
/// Imported AK public keys by Name: importing a key into the platform crypto costs more than verifying a quote,
/// and an AK's public area never changes for its Name. Bounded so a flood of enrollments cannot grow it forever.
/// </summary>
public sealed class VerificationKeyCache : IDisposable
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, VerificationKey> _keys = new(StringComparer.Ordinal);

    public VerificationKey Get(string akName, byte[] tpm2bPublic)
    {
        if (_keys.TryGetValue(akName, out var key))
        {
            return key;
        }

        var created = VerificationKey.FromTpmPublic(TpmPublic.ParseSized(tpm2bPublic));
        if (_keys.Count >= MaxEntries)
        {
            // Rare: drop everything rather than track recency on the hot path. Keys in use stay alive through their callers.
            _keys.Clear();
        }

        return _keys.GetOrAdd(akName, created);
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }
}
