using System.Globalization;
using System.Text.Json;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;

namespace Attest.Verifier.Evidence;

/// <summary>The incremental IMA state as stored with an attestation: entries replayed and PCR values after them.</summary>
internal static class ImaStateJson
{
    private sealed record Stored(int EntryCount, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Pcrs);

    public static string Serialize(ImaPcrState state) => JsonSerializer.Serialize(new Stored(state.EntryCount, state.ToHex()));

    public static ImaPcrState? Deserialize(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        var stored = JsonSerializer.Deserialize<Stored>(json);
        if (stored is null)
        {
            return null;
        }

        var banks = new Dictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>>();
        foreach (var (bank, values) in stored.Pcrs)
        {
            if (TpmAlgNames.TryParseHash(bank, out var alg))
            {
                banks[alg] = values.ToDictionary(v => uint.Parse(v.Key, CultureInfo.InvariantCulture), v => Convert.FromHexString(v.Value));
            }
        }

        return new ImaPcrState(stored.EntryCount, banks);
    }
}
