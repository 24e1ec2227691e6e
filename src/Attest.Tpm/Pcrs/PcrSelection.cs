using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Pcrs;

/// <summary>One bank of a TPML_PCR_SELECTION: the hash and the selected PCR indices (ascending).</summary>
public sealed record PcrBankSelection(TpmAlgId Hash, IReadOnlyList<int> Indices)
{
    public override string ToString() => $"{Hash.Name()}:{string.Join(',', Indices)}";
}

/// <summary>
/// TPML_PCR_SELECTION (TPM 2.0 Part 2 §10.9.7). Bank order is kept: a quote's PCR digest concatenates PCR
/// values bank by bank in this order, and within a bank in ascending index order (Part 1 §17.6.3 / Part 3 §18.4).
/// </summary>
public sealed class PcrSelection : IEquatable<PcrSelection>
{
    // Part 2: HASH_COUNT bounds the list; PCR_SELECT_MAX is 3 for PC Client TPMs, but some expose more PCRs.
    internal const int MaxBanks = 16;
    internal const int MaxSelectBytes = 8;

    public PcrSelection(IEnumerable<PcrBankSelection> banks)
    {
        ArgumentNullException.ThrowIfNull(banks);
        Banks = banks.ToArray();
    }

    public IReadOnlyList<PcrBankSelection> Banks { get; }

    public static PcrSelection Of(TpmAlgId hash, params int[] indices) =>
        new([new PcrBankSelection(hash, indices.Distinct().Order().ToArray())]);

    public static PcrSelection Read(ref TpmReader reader)
    {
        var countOffset = reader.Offset;
        var count = reader.ReadUInt32("TPML_PCR_SELECTION.count");
        if (count > MaxBanks)
        {
            throw new TpmFormatException("TPML_PCR_SELECTION.count", countOffset, $"{count} banks exceeds the maximum {MaxBanks}");
        }

        var banks = new List<PcrBankSelection>((int)count);
        for (var i = 0; i < count; i++)
        {
            var hash = (TpmAlgId)reader.ReadUInt16("TPMS_PCR_SELECTION.hash");
            var sizeOffset = reader.Offset;
            var size = reader.ReadUInt8("TPMS_PCR_SELECTION.sizeofSelect");
            if (size > MaxSelectBytes)
            {
                throw new TpmFormatException("TPMS_PCR_SELECTION.sizeofSelect", sizeOffset, $"{size} exceeds the maximum {MaxSelectBytes}");
            }

            var bitmap = reader.ReadBytes(size, "TPMS_PCR_SELECTION.pcrSelect");
            banks.Add(new PcrBankSelection(hash, IndicesOf(bitmap)));
        }

        return new PcrSelection(banks);
    }

    public static PcrSelection Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new TpmReader(bytes);
        var selection = Read(ref reader);
        reader.ExpectEnd("TPML_PCR_SELECTION");
        return selection;
    }

    /// <summary>Writes the selection with a bitmap of at least 3 bytes (PC Client minimum).</summary>
    public void Write(TpmWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt32((uint)Banks.Count);
        Span<byte> buffer = stackalloc byte[MaxSelectBytes];
        foreach (var bank in Banks)
        {
            var size = Math.Max(3, bank.Indices.Count == 0 ? 0 : (bank.Indices.Max() / 8) + 1);
            var bitmap = buffer[..size];
            bitmap.Clear();
            foreach (var index in bank.Indices)
            {
                bitmap[index / 8] |= (byte)(1 << (index % 8));
            }

            writer.WriteUInt16((ushort)bank.Hash).WriteUInt8((byte)size).WriteBytes(bitmap);
        }
    }

    public byte[] Marshal()
    {
        var writer = new TpmWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Total number of (bank, PCR) pairs selected.</summary>
    public int Count => Banks.Sum(b => b.Indices.Count);

    /// <summary>Same banks in the same order with the same PCRs (bitmap width ignored).</summary>
    public bool Equals(PcrSelection? other)
    {
        if (other is null || other.Banks.Count != Banks.Count)
        {
            return false;
        }

        for (var i = 0; i < Banks.Count; i++)
        {
            if (Banks[i].Hash != other.Banks[i].Hash || !Banks[i].Indices.SequenceEqual(other.Banks[i].Indices))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as PcrSelection);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <summary>tpm2-tools style: <c>sha256:0,1,2+sha1:0</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var bank in Banks)
        {
            if (builder.Length > 0)
            {
                builder.Append('+');
            }

            builder.Append(bank);
        }

        return builder.ToString();
    }

    /// <summary>Parses tpm2-tools' selection syntax (<c>sha256:0,1,7+sha1:0</c>); returns false when malformed.</summary>
    public static bool TryParse(string text, out PcrSelection? selection)
    {
        selection = null;
        var banks = new List<PcrBankSelection>();
        foreach (var part in (text ?? string.Empty).Split('+', StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(':', 2);
            if (pieces.Length != 2 || !TpmAlgNames.TryParseHash(pieces[0].Trim(), out var hash))
            {
                return false;
            }

            var indices = new SortedSet<int>();
            foreach (var token in pieces[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(token.Trim(), out var index) || index is < 0 or >= MaxSelectBytes * 8)
                {
                    return false;
                }

                indices.Add(index);
            }

            banks.Add(new PcrBankSelection(hash, indices.ToArray()));
        }

        if (banks.Count == 0)
        {
            return false;
        }

        selection = new PcrSelection(banks);
        return true;
    }

    private static int[] IndicesOf(ReadOnlySpan<byte> bitmap)
    {
        var indices = new List<int>();
        for (var i = 0; i < bitmap.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                if ((bitmap[i] & (1 << bit)) != 0)
                {
                    indices.Add((i * 8) + bit);
                }
            }
        }

        return indices.ToArray();
    }
}
