using Attest.Tpm.Wire;

namespace Attest.Tpm.Pcrs;

/// <summary>TPML_DIGEST (TPM 2.0 Part 2 §10.9.2): at most 8 digests of at most 64 bytes each.</summary>
public static class DigestList
{
    public const int MaxCount = 8;
    public const int MaxDigestSize = 64;

    public static IReadOnlyList<byte[]> Read(ref TpmReader reader, string field = "TPML_DIGEST")
    {
        var countOffset = reader.Offset;
        var count = reader.ReadUInt32(field + ".count");
        if (count > MaxCount)
        {
            throw new TpmFormatException(field + ".count", countOffset, $"{count} digests exceeds the {MaxCount} a TPML_DIGEST holds");
        }

        var digests = new List<byte[]>((int)count);
        for (var i = 0; i < count; i++)
        {
            digests.Add(reader.ReadSized($"{field}[{i}]", MaxDigestSize).ToArray());
        }

        return digests;
    }

    public static IReadOnlyList<byte[]> Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new TpmReader(bytes);
        var digests = Read(ref reader);
        reader.ExpectEnd("TPML_DIGEST");
        return digests;
    }

    public static byte[] Marshal(IReadOnlyList<byte[]> digests)
    {
        ArgumentNullException.ThrowIfNull(digests);
        if (digests.Count > MaxCount)
        {
            throw new ArgumentException($"a TPML_DIGEST holds at most {MaxCount} digests", nameof(digests));
        }

        var writer = new TpmWriter().WriteUInt32((uint)digests.Count);
        foreach (var digest in digests)
        {
            writer.WriteSized(digest);
        }

        return writer.ToArray();
    }
}
