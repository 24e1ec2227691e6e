using System.Security.Cryptography;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// Computes an entry's template hash in any bank, as ima_crypto.c ima_calc_field_array_hash_tfm does
/// for each TPM bank: over every field as u32 length + bytes — which is exactly the binary template
/// data — except for the <c>ima</c> template, which hashes the 20-byte digest then the name
/// zero-padded to IMA_EVENT_NAME_LEN_MAX + 1 = 256 bytes, with no lengths.
/// </summary>
public sealed class ImaTemplateHash : IDisposable
{
    private const int ImaNamePaddedLength = 256;
    private static readonly byte[] Zeros = new byte[ImaNamePaddedLength];
    private readonly IncrementalHash _hash;

    /// <summary>A reusable hasher for <paramref name="algorithm"/> (one per thread).</summary>
    public ImaTemplateHash(TpmAlgId algorithm)
    {
        if (!TpmHash.CanCompute(algorithm))
        {
            throw new NotSupportedException($"hash algorithm {algorithm.Name()} is not available");
        }

        Algorithm = algorithm;
        Size = TpmHash.DigestSize(algorithm);
        _hash = TpmHash.CreateIncremental(algorithm);
    }

    public TpmAlgId Algorithm { get; }

    public int Size { get; }

    /// <summary>False when the entry has no binary template data (ASCII entry of an unknown template).</summary>
    public bool TryCompute(ImaEntry entry, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.HasTemplateData)
        {
            return false;
        }

        if (entry.Template is { IsImaTemplate: true })
        {
            // Template data of 'ima' as parsed: the 20-byte digest, u32 name length, the name.
            var data = entry.TemplateData.Span;
            var name = data[24..];
            _hash.AppendData(data[..20]);
            _hash.AppendData(name);
            _hash.AppendData(Zeros.AsSpan(0, ImaNamePaddedLength - name.Length));
        }
        else
        {
            _hash.AppendData(entry.TemplateData.Span);
        }

        return _hash.TryGetHashAndReset(destination, out _);
    }

    /// <summary>PCR extend (TPM 2.0 Part 1 §17.2): pcr = H(pcr || digest).</summary>
    public void Extend(Span<byte> pcr, ReadOnlySpan<byte> digest)
    {
        if (pcr.Length != Size || digest.Length != Size)
        {
            throw new ArgumentException($"a {Algorithm.Name()} extend needs {Size}-byte values, not {pcr.Length} and {digest.Length}");
        }

        // One append of pcr || digest: each call into the platform hash has a fixed cost.
        Span<byte> buffer = stackalloc byte[128];
        pcr.CopyTo(buffer);
        digest.CopyTo(buffer[pcr.Length..]);
        _hash.AppendData(buffer[..(pcr.Length + digest.Length)]);
        _hash.TryGetHashAndReset(pcr, out _);
    }

    public void Dispose() => _hash.Dispose();
}
