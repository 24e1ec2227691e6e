using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Signatures;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Puts a certificate's signature algorithm and public key before the <see cref="CryptoProfile"/>: the same
/// rules as for quotes, so a SHA-1-signed or RSA-1024 EK chain is refused under <c>fips</c> and accepted with a
/// warning under <c>default</c>.
/// </summary>
internal static class CertificateAlgorithms
{
    private static readonly Dictionary<string, TpmAlgId> HashOids = new(StringComparer.Ordinal)
    {
        ["1.3.14.3.2.26"] = TpmAlgId.Sha1,
        ["2.16.840.1.101.3.4.2.1"] = TpmAlgId.Sha256,
        ["2.16.840.1.101.3.4.2.2"] = TpmAlgId.Sha384,
        ["2.16.840.1.101.3.4.2.3"] = TpmAlgId.Sha512,
    };

    private static readonly Dictionary<string, (TpmAlgId Hash, TpmAlgId Scheme, string Name)> SignatureOids = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.5"] = (TpmAlgId.Sha1, TpmAlgId.RsaSsa, "sha1WithRSAEncryption"),
        ["1.2.840.113549.1.1.11"] = (TpmAlgId.Sha256, TpmAlgId.RsaSsa, "sha256WithRSAEncryption"),
        ["1.2.840.113549.1.1.12"] = (TpmAlgId.Sha384, TpmAlgId.RsaSsa, "sha384WithRSAEncryption"),
        ["1.2.840.113549.1.1.13"] = (TpmAlgId.Sha512, TpmAlgId.RsaSsa, "sha512WithRSAEncryption"),
        ["1.2.840.10045.4.1"] = (TpmAlgId.Sha1, TpmAlgId.Ecdsa, "ecdsa-with-SHA1"),
        ["1.2.840.10045.4.3.2"] = (TpmAlgId.Sha256, TpmAlgId.Ecdsa, "ecdsa-with-SHA256"),
        ["1.2.840.10045.4.3.3"] = (TpmAlgId.Sha384, TpmAlgId.Ecdsa, "ecdsa-with-SHA384"),
        ["1.2.840.10045.4.3.4"] = (TpmAlgId.Sha512, TpmAlgId.Ecdsa, "ecdsa-with-SHA512"),
    };

    private const string RsassaPss = "1.2.840.113549.1.1.10";

    /// <summary>The signature this certificate carries (made by its issuer).</summary>
    public static void CheckSignature(CaCertificate certificate, CryptoProfile profile, List<AlgorithmRefusal> refusals, List<string> warnings)
    {
        var algorithm = certificate.Bc.CertificateStructure.SignatureAlgorithm;
        var oid = algorithm.Algorithm.Id;
        TpmAlgId hash, scheme;
        string name;
        if (oid == RsassaPss)
        {
            // RFC 4055 §3.1: absent hashAlgorithm means SHA-1.
            var parameters = algorithm.Parameters is null or Asn1Null
                ? new RsassaPssParameters()
                : RsassaPssParameters.GetInstance(algorithm.Parameters);
            var hashOid = parameters.HashAlgorithm.Algorithm.Id;
            hash = HashOids.GetValueOrDefault(hashOid, TpmAlgId.Error);
            scheme = TpmAlgId.RsaPss;
            name = $"RSASSA-PSS with {(hash == TpmAlgId.Error ? hashOid : hash.ToString().ToUpperInvariant())}";
        }
        else if (SignatureOids.TryGetValue(oid, out var known))
        {
            (hash, scheme, name) = known;
        }
        else
        {
            refusals.Add(new AlgorithmRefusal($"signature algorithm {oid}", "not a certificate signature algorithm this verifier supports"));
            return;
        }

        if (hash == TpmAlgId.Error)
        {
            refusals.Add(new AlgorithmRefusal(name, "not a hash algorithm this verifier can compute"));
            return;
        }

        Add(profile.CheckSignatureHash(hash), refusals, certificate, $"signature {name}");
        Add(profile.CheckSignatureScheme(scheme), refusals, certificate, $"signature {name}");
        if (profile.LegacyWarning(hash) is { } warning)
        {
            warnings.Add($"'{certificate.Subject}' is signed with {name}: {warning}");
        }
    }

    /// <summary>The certificate's own public key (a CA key verifies the next signature; the EK key encrypts the credential).</summary>
    public static void CheckKey(CaCertificate certificate, CryptoProfile profile, List<AlgorithmRefusal> refusals, List<string> warnings)
    {
        SubjectPublicKeyInfo key;
        try
        {
            key = SubjectPublicKeyInfo.Parse(certificate.Bc.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded());
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            refusals.Add(new AlgorithmRefusal($"public key of '{certificate.Subject}'", ex.Message));
            return;
        }

        if (key.RsaModulus is { } modulus)
        {
            var bits = (int)new System.Numerics.BigInteger(modulus, isUnsigned: true, isBigEndian: true).GetBitLength();
            Add(profile.CheckRsaVerificationKey(bits), refusals, certificate, "key");
            if (profile.LegacyWarning(TpmAlgId.Null, bits) is { } warning)
            {
                warnings.Add($"'{certificate.Subject}' has an RSA-{bits} key: {warning}");
            }
        }
        else
        {
            Add(profile.CheckCurve(key.Curve), refusals, certificate, "key");
        }
    }

    private static void Add(AlgorithmRefusal? refusal, List<AlgorithmRefusal> refusals, CaCertificate certificate, string what)
    {
        if (refusal is not null)
        {
            refusals.Add(refusal with { Rule = $"{refusal.Rule} ({what} of '{certificate.Subject}')" });
        }
    }
}
