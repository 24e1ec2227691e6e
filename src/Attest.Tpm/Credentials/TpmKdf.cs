using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Credentials;

/// <summary>The TPM's key derivation functions (TPM 2.0 Part 1 §11.4.10).</summary>
public static class TpmKdf
{
    /// <summary>
    /// KDFa: SP 800-108 counter-mode KDF with HMAC, label || 0x00 || contextU || contextV, and L in bits
    /// (Part 1 §11.4.10.2). This is exactly the platform's <see cref="SP800108HmacCounterKdf"/> construction.
    /// </summary>
    public static byte[] KdfA(TpmAlgId hash, ReadOnlySpan<byte> key, string label, ReadOnlySpan<byte> contextU, ReadOnlySpan<byte> contextV, int bits)
    {
        if (bits <= 0 || bits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), "whole bytes only");
        }

        var context = new byte[contextU.Length + contextV.Length];
        contextU.CopyTo(context);
        contextV.CopyTo(context.AsSpan(contextU.Length));
        return SP800108HmacCounterKdf.DeriveBytes(key, TpmHash.ToHashAlgorithmName(hash), Encoding.ASCII.GetBytes(label), context, bits / 8);
    }

    /// <summary>
    /// KDFe: SP 800-56A concatenation KDF, Hash(counter || Z || label || 0x00 || partyU || partyV) (Part 1 §11.4.10.3).
    /// </summary>
    public static byte[] KdfE(TpmAlgId hash, ReadOnlySpan<byte> z, string label, ReadOnlySpan<byte> partyU, ReadOnlySpan<byte> partyV, int bits)
    {
        var bytes = (bits + 7) / 8;
        var output = new byte[bytes];
        var labelBytes = Encoding.ASCII.GetBytes(label + "\0");
        using var hasher = TpmHash.CreateIncremental(hash);
        Span<byte> counter = stackalloc byte[4];
        var written = 0;
        for (uint i = 1; written < bytes; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counter, i);
            hasher.AppendData(counter);
            hasher.AppendData(z);
            hasher.AppendData(labelBytes);
            hasher.AppendData(partyU);
            hasher.AppendData(partyV);
            var block = hasher.GetHashAndReset();
            var take = Math.Min(block.Length, bytes - written);
            block.AsSpan(0, take).CopyTo(output.AsSpan(written));
            written += take;
        }

        return output;
    }
}
