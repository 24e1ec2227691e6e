using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;

namespace Attest.Tpm.Crypto;

/// <summary>Why an algorithm was refused: the algorithm and the rule, both for people to read.</summary>
public sealed record AlgorithmRefusal(string Algorithm, string Rule)
{
    public override string ToString() => $"{Algorithm} is refused: {Rule}";
}

/// <summary>
/// The one algorithm policy every check and every issuance consults (shared/fips.md). <c>default</c> verifies what
/// real TPMs produce (with warnings for legacy choices); <c>fips</c> allows only FIPS 140-approved algorithms.
/// Methods return null when the algorithm is acceptable.
/// </summary>
public sealed partial class CryptoProfile
{
    public static readonly CryptoProfile Default = new("default", fips: false);

    public static readonly CryptoProfile Fips = new("fips", fips: true);

    private CryptoProfile(string name, bool fips)
    {
        Name = name;
        IsFips = fips;
    }

    public string Name { get; }

    public bool IsFips { get; }

    public static CryptoProfile FromName(string? name) => (name ?? "default").Trim().ToLowerInvariant() switch
    {
        "default" or "" => Default,
        "fips" => Fips,
        _ => throw new ArgumentException($"unknown crypto profile '{name}' (expected 'default' or 'fips')", nameof(name)),
    };

    /// <summary>Hash used in a signature we verify (quote, certify, certificate, CSR).</summary>
    public AlgorithmRefusal? CheckSignatureHash(TpmAlgId hash)
    {
        if (!TpmHash.CanCompute(hash))
        {
            return new(hash.Name(), "not a hash algorithm this verifier can compute");
        }

        if (IsFips && hash is TpmAlgId.Sha1)
        {
            return new("SHA-1", "SHA-1 signatures are not approved under the fips profile (SP 800-131A Rev. 2)");
        }

        return null;
    }

    /// <summary>A PCR bank used as evidence.</summary>
    public AlgorithmRefusal? CheckPcrBank(TpmAlgId bank)
    {
        if (!TpmHash.CanCompute(bank))
        {
            return new(bank.Name(), "not a PCR bank this verifier can compute");
        }

        if (IsFips && bank is TpmAlgId.Sha1)
        {
            return new("SHA-1 PCR bank", "only SHA-256 or stronger PCR banks are accepted as evidence under the fips profile");
        }

        return null;
    }

    /// <summary>A signature scheme of a key we verify signatures from.</summary>
    public AlgorithmRefusal? CheckSignatureScheme(TpmAlgId scheme) => scheme switch
    {
        TpmAlgId.RsaSsa or TpmAlgId.RsaPss or TpmAlgId.Ecdsa => null,
        TpmAlgId.Ecdaa or TpmAlgId.Sm2 or TpmAlgId.EcSchnorr => new(scheme.Name(), IsFips
            ? "not a FIPS 186-5 signature scheme"
            : "signature scheme not supported by this verifier"),
        _ => new(scheme.Name(), "not a signature scheme this verifier supports"),
    };

    /// <summary>An RSA key whose signatures we verify.</summary>
    public AlgorithmRefusal? CheckRsaVerificationKey(int bits)
    {
        if (IsFips && bits < 2048)
        {
            return new($"RSA-{bits}", "RSA keys shorter than 2048 bits are not approved under the fips profile (SP 800-131A Rev. 2)");
        }

        if (bits < 1024)
        {
            return new($"RSA-{bits}", "RSA keys shorter than 1024 bits are refused");
        }

        return null;
    }

    /// <summary>An RSA key we create (CA keys, issued credentials).</summary>
    public AlgorithmRefusal? CheckRsaKeyCreation(int bits) => bits < (IsFips ? 3072 : 2048)
        ? new($"RSA-{bits}", IsFips ? "keys created under the fips profile must be RSA-3072 or larger" : "keys created must be RSA-2048 or larger")
        : null;

    /// <summary>An elliptic curve of a key we verify signatures from or accept.</summary>
    public AlgorithmRefusal? CheckCurve(TpmEccCurve curve)
    {
        if (curve is TpmEccCurve.NistP256 or TpmEccCurve.NistP384 or TpmEccCurve.NistP521)
        {
            return null;
        }

        if (IsFips)
        {
            return new(curve.Name(), "only the NIST curves P-256, P-384 and P-521 are approved under the fips profile (FIPS 186-5)");
        }

        return EccCurves.IsSupported(curve) ? null : new(curve.Name(), "elliptic curve not supported by this verifier");
    }

    /// <summary>Warnings for acceptable-but-legacy choices (shown under <c>default</c>).</summary>
    public string? LegacyWarning(TpmAlgId hash, int rsaBits = 0)
    {
        if (hash == TpmAlgId.Sha1)
        {
            return "SHA-1 is accepted by the default profile but refused by the fips profile";
        }

        return rsaBits is > 0 and < 2048 ? $"RSA-{rsaBits} is accepted by the default profile but refused by the fips profile" : null;
    }
}
