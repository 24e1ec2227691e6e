using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// What a verifier stores between attestations for incremental IMA evaluation: how many entries of
/// the kernel's list have been replayed, and the PCR values (per bank, per PCR) after them. PCRs the
/// log never touched are implicitly all-zero, their value after reset.
/// </summary>
public sealed class ImaPcrState
{
    private readonly Dictionary<TpmAlgId, SortedDictionary<uint, byte[]>> _values;

    /// <param name="entryCount">Entries already replayed (the next one to replay has this index).</param>
    /// <param name="pcrs">Per bank, the value of each PCR extended so far; copied.</param>
    public ImaPcrState(int entryCount, IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>> pcrs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entryCount);
        ArgumentNullException.ThrowIfNull(pcrs);
        EntryCount = entryCount;
        _values = [];
        foreach (var (bank, values) in pcrs)
        {
            var size = TpmHash.DigestSize(bank);
            if (size == 0)
            {
                throw new ArgumentException($"{bank.Name()} is not a hash algorithm", nameof(pcrs));
            }

            var copy = new SortedDictionary<uint, byte[]>();
            foreach (var (pcr, value) in values)
            {
                if (value.Length != size || pcr > ImaLimits.MaxPcrIndex)
                {
                    throw new ArgumentException($"PCR {pcr} in bank {bank.Name()}: {value.Length} bytes, expected {size}", nameof(pcrs));
                }

                copy[pcr] = (byte[])value.Clone();
            }

            _values[bank] = copy;
        }
    }

    private ImaPcrState(int entryCount, Dictionary<TpmAlgId, SortedDictionary<uint, byte[]>> values)
    {
        EntryCount = entryCount;
        _values = values;
    }

    public int EntryCount { get; }

    public IReadOnlyCollection<TpmAlgId> Banks => _values.Keys;

    /// <summary>The state before any entry: all PCRs zero.</summary>
    public static ImaPcrState Initial(params IEnumerable<TpmAlgId> banks)
    {
        ArgumentNullException.ThrowIfNull(banks);
        return new ImaPcrState(0, banks.Distinct().ToDictionary(b => b, _ => new SortedDictionary<uint, byte[]>()));
    }

    public bool HasBank(TpmAlgId bank) => _values.ContainsKey(bank);

    /// <summary>A copy of a PCR's value (all-zero when never extended).</summary>
    public byte[] GetPcr(TpmAlgId bank, uint pcr)
    {
        if (!_values.TryGetValue(bank, out var values))
        {
            throw new ArgumentException($"bank {bank.Name()} is not in this state", nameof(bank));
        }

        return values.TryGetValue(pcr, out var value) ? (byte[])value.Clone() : new byte[TpmHash.DigestSize(bank)];
    }

    /// <summary>The PCRs extended so far in <paramref name="bank"/>, ascending.</summary>
    public IEnumerable<uint> ExtendedPcrs(TpmAlgId bank) =>
        _values.TryGetValue(bank, out var values) ? values.Keys : [];

    /// <summary><c>{"sha256": {"10": "hex"}}</c>-shaped view, lower-case hex, for storage and output.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ToHex() =>
        _values.OrderBy(b => (ushort)b.Key).ToDictionary(
            b => b.Key.Name(),
            b => (IReadOnlyDictionary<string, string>)b.Value.ToDictionary(p => p.Key.ToString(), p => Convert.ToHexStringLower(p.Value)));

    internal static ImaPcrState FromReplay(int entryCount, IReadOnlyList<(TpmAlgId Bank, byte[]?[] Pcrs)> banks)
    {
        var values = new Dictionary<TpmAlgId, SortedDictionary<uint, byte[]>>();
        foreach (var (bank, pcrs) in banks)
        {
            var copy = new SortedDictionary<uint, byte[]>();
            for (var i = 0u; i < pcrs.Length; i++)
            {
                if (pcrs[i] is { } value)
                {
                    copy[i] = (byte[])value.Clone();
                }
            }

            values[bank] = copy;
        }

        return new ImaPcrState(entryCount, values);
    }
}
