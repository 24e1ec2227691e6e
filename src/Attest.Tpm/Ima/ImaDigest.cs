using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// A file (or buffer, or modsig) digest from a template field. <see cref="Algorithm"/> is the kernel's
/// name (<c>sha256</c>, <c>sha3-256</c>, ...); the classic <c>d</c> field carries no name and is SHA-1
/// (or MD5 when booted with ima_hash=md5, zero-padded to 20 bytes).
/// </summary>
public sealed record ImaDigest(string Algorithm, ReadOnlyMemory<byte> Digest, string? DigestType = null)
{
    /// <summary>The matching TPM algorithm id, or null for a hash with no TPM equivalent.</summary>
    public TpmAlgId? TpmAlgorithm => ImaHashAlgorithms.TryGetTpmAlgorithm(Algorithm, out var alg) ? alg : null;

    /// <summary>The ASCII-log form: <c>[type:]algo:hex</c>, or plain hex for the <c>d</c> field.</summary>
    public override string ToString()
    {
        var hex = Convert.ToHexStringLower(Digest.Span);
        if (Algorithm.Length == 0)
        {
            return hex;
        }

        return DigestType is null ? $"{Algorithm}:{hex}" : $"{DigestType}:{Algorithm}:{hex}";
    }
}
