using System.Security.Cryptography;

namespace Attest.Tpm.Algorithms;

/// <summary>Digest sizes and hashing for TPM hash algorithms, through the platform's crypto.</summary>
public static class TpmHash
{
    /// <summary>Digest size in bytes, or 0 when the algorithm is not a hash this library knows.</summary>
    public static int DigestSize(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => 20,
        TpmAlgId.Sha256 or TpmAlgId.Sm3_256 or TpmAlgId.Sha3_256 => 32,
        TpmAlgId.Sha384 or TpmAlgId.Sha3_384 => 48,
        TpmAlgId.Sha512 or TpmAlgId.Sha3_512 => 64,
        _ => 0,
    };

    /// <summary>True when this process can compute the hash (SM3 never; SHA-3 where OpenSSL offers it).</summary>
    public static bool CanCompute(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 or TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512 => true,
        TpmAlgId.Sha3_256 => SHA3_256.IsSupported,
        TpmAlgId.Sha3_384 => SHA3_384.IsSupported,
        TpmAlgId.Sha3_512 => SHA3_512.IsSupported,
        _ => false,
    };

    public static HashAlgorithmName ToHashAlgorithmName(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => HashAlgorithmName.SHA1,
        TpmAlgId.Sha256 => HashAlgorithmName.SHA256,
        TpmAlgId.Sha384 => HashAlgorithmName.SHA384,
        TpmAlgId.Sha512 => HashAlgorithmName.SHA512,
        TpmAlgId.Sha3_256 => HashAlgorithmName.SHA3_256,
        TpmAlgId.Sha3_384 => HashAlgorithmName.SHA3_384,
        TpmAlgId.Sha3_512 => HashAlgorithmName.SHA3_512,
        _ => throw new NotSupportedException($"hash algorithm {alg.Name()} is not supported"),
    };

    public static byte[] Compute(TpmAlgId alg, ReadOnlySpan<byte> data)
    {
        var output = new byte[DigestSize(alg)];
        Compute(alg, data, output);
        return output;
    }

    /// <summary>Hashes into <paramref name="destination"/> (exactly the digest size); no allocation.</summary>
    public static void Compute(TpmAlgId alg, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        _ = alg switch
        {
            TpmAlgId.Sha1 => SHA1.HashData(data, destination),
            TpmAlgId.Sha256 => SHA256.HashData(data, destination),
            TpmAlgId.Sha384 => SHA384.HashData(data, destination),
            TpmAlgId.Sha512 => SHA512.HashData(data, destination),
            TpmAlgId.Sha3_256 => SHA3_256.HashData(data, destination),
            TpmAlgId.Sha3_384 => SHA3_384.HashData(data, destination),
            TpmAlgId.Sha3_512 => SHA3_512.HashData(data, destination),
            _ => throw new NotSupportedException($"hash algorithm {alg.Name()} is not supported"),
        };
    }

    /// <summary>An incremental hasher for <paramref name="alg"/>.</summary>
    public static IncrementalHash CreateIncremental(TpmAlgId alg) => IncrementalHash.CreateHash(ToHashAlgorithmName(alg));

    /// <summary>PCR extend: new = H(old || digest) (TPM 2.0 Part 1 §17.2).</summary>
    public static void Extend(TpmAlgId alg, Span<byte> pcr, ReadOnlySpan<byte> digest)
    {
        if (digest.Length != pcr.Length || pcr.Length > 64)
        {
            throw new ArgumentException($"cannot extend a {pcr.Length}-byte PCR with a {digest.Length}-byte digest");
        }

        Span<byte> buffer = stackalloc byte[128];
        var size = pcr.Length;
        pcr.CopyTo(buffer);
        digest.CopyTo(buffer[size..]);
        Compute(alg, buffer[..(size + digest.Length)], pcr);
    }
}
