using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>
/// One bank of a TPML_PCR_SELECTION as the client sends and receives it (TPM 2.0 Part 2 §10.6.2):
/// a hash algorithm and the PCR indices selected in it, ascending.
/// </summary>
public sealed record PcrBankSelection
{
    /// <summary>PC Client TPMs implement 24 PCRs; the selection bitmap is at least 3 bytes (PCR_SELECT_MIN).</summary>
    public const int MaxPcrIndex = 255;

    public PcrBankSelection(TpmAlgId hash, IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Hash = hash;
        var sorted = new SortedSet<int>();
        foreach (var index in indices)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MaxPcrIndex);
            sorted.Add(index);
        }

        Indices = [.. sorted];
    }

    public TpmAlgId Hash { get; }

    public IReadOnlyList<int> Indices { get; }

    public bool Equals(PcrBankSelection? other) => other is not null && Hash == other.Hash && Indices.SequenceEqual(other.Indices);

    public override int GetHashCode() => HashCode.Combine(Hash, Indices.Count > 0 ? Indices[0] : -1, Indices.Count);

    public override string ToString() => $"{Hash.Name()}:{string.Join(',', Indices)}";

    /// <summary>Writes TPML_PCR_SELECTION.</summary>
    internal static void Write(TpmWriter writer, IReadOnlyList<PcrBankSelection> banks)
    {
        writer.WriteUInt32((uint)banks.Count);
        foreach (var bank in banks)
        {
            writer.WriteUInt16((ushort)bank.Hash);
            var size = Math.Max(3, bank.Indices.Count == 0 ? 3 : (bank.Indices[^1] / 8) + 1);
            var bitmap = new byte[size];
            foreach (var index in bank.Indices)
            {
                bitmap[index / 8] |= (byte)(1 << (index % 8));
            }

            writer.WriteUInt8((byte)size);
            writer.WriteBytes(bitmap);
        }
    }

    /// <summary>Reads TPML_PCR_SELECTION; at most 16 banks (HASH_COUNT bound) of at most 32 bitmap bytes.</summary>
    internal static List<PcrBankSelection> Read(ref TpmReader reader, string field)
    {
        var count = reader.ReadUInt32(field + ".count");
        if (count > 16)
        {
            throw reader.Fail(field + ".count", $"{count} banks is more than any TPM has");
        }

        var banks = new List<PcrBankSelection>((int)count);
        for (var i = 0; i < count; i++)
        {
            var hash = (TpmAlgId)reader.ReadUInt16($"{field}[{i}].hash");
            var size = reader.ReadUInt8($"{field}[{i}].sizeofSelect");
            if (size > 32)
            {
                throw reader.Fail($"{field}[{i}].sizeofSelect", $"{size} bytes is more than {MaxPcrIndex + 1} PCRs");
            }

            var bitmap = reader.ReadBytes(size, $"{field}[{i}].pcrSelect");
            var indices = new List<int>();
            for (var bit = 0; bit < size * 8; bit++)
            {
                if ((bitmap[bit / 8] & (1 << (bit % 8))) != 0)
                {
                    indices.Add(bit);
                }
            }

            banks.Add(new PcrBankSelection(hash, indices));
        }

        return banks;
    }
}
