namespace Attest.Tpm.Crypto;

/// <summary>
/// The profile's rules for X.509 objects we verify or sign: PKCS#10 requests (signature algorithm, key) and the keys
/// we certify. Identified by OID so the rule is applied before any key is loaded.
/// </summary>
public sealed partial class CryptoProfile
{
    // RFC 3279 / RFC 4055 / RFC 5758 / RFC 8410 algorithm identifiers.
    private static readonly Dictionary<string, (string Name, string Hash, string Key)> SignatureAlgorithms = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.4"] = ("md5WithRSAEncryption", "MD5", "RSA"),
        ["1.2.840.113549.1.1.5"] = ("sha1WithRSAEncryption", "SHA-1", "RSA"),
        ["1.2.840.113549.1.1.11"] = ("sha256WithRSAEncryption", "SHA-256", "RSA"),
        ["1.2.840.113549.1.1.12"] = ("sha384WithRSAEncryption", "SHA-384", "RSA"),
        ["1.2.840.113549.1.1.13"] = ("sha512WithRSAEncryption", "SHA-512", "RSA"),
        ["1.2.840.10045.4.1"] = ("ecdsa-with-SHA1", "SHA-1", "EC"),
        ["1.2.840.10045.4.3.2"] = ("ecdsa-with-SHA256", "SHA-256", "EC"),
        ["1.2.840.10045.4.3.3"] = ("ecdsa-with-SHA384", "SHA-384", "EC"),
        ["1.2.840.10045.4.3.4"] = ("ecdsa-with-SHA512", "SHA-512", "EC"),
        ["1.3.101.112"] = ("Ed25519", "", "EdDSA"),
        ["1.3.101.113"] = ("Ed448", "", "EdDSA"),
    };

    private static readonly Dictionary<string, string> NistCurves = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
    };

    private static readonly Dictionary<string, string> OtherCurves = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.3.1.1"] = "P-192",
        ["1.3.132.0.33"] = "P-224",
        ["1.3.132.0.10"] = "secp256k1",
        ["1.3.36.3.3.2.8.1.1.7"] = "brainpoolP256r1",
        ["1.3.36.3.3.2.8.1.1.11"] = "brainpoolP384r1",
        ["1.2.156.10197.1.301"] = "SM2",
    };

    /// <summary>A readable name for a signature algorithm or curve OID (the OID itself when unknown).</summary>
    public static string X509AlgorithmName(string oid) =>
        SignatureAlgorithms.TryGetValue(oid, out var s) ? s.Name
        : NistCurves.TryGetValue(oid, out var n) ? n
        : OtherCurves.TryGetValue(oid, out var o) ? o
        : oid;

    /// <summary>The signature algorithm of a certificate or CSR we verify (PKCS#1 v1.5 or ECDSA with a named hash).</summary>
    public AlgorithmRefusal? CheckX509SignatureAlgorithm(string oid)
    {
        ArgumentNullException.ThrowIfNull(oid);
        if (!SignatureAlgorithms.TryGetValue(oid, out var alg))
        {
            // RSASSA-PSS carries its hash in parameters; requests from our agents never use it, so it is not parsed here.
            return new(oid, "not a signature algorithm this verifier accepts (RSA PKCS#1 v1.5 or ECDSA with SHA-2)");
        }

        if (alg.Hash == "MD5")
        {
            return new(alg.Name, "MD5 signatures are refused by every profile");
        }

        if (alg.Key == "EdDSA")
        {
            return new(alg.Name, IsFips
                ? "EdDSA is refused under the fips profile until the platform's validated module offers it (shared/fips.md)"
                : "EdDSA requests are not supported by this verifier");
        }

        if (IsFips && alg.Hash == "SHA-1")
        {
            return new(alg.Name, "SHA-1 signatures are not approved under the fips profile (SP 800-131A Rev. 2)");
        }

        return null;
    }

    /// <summary>The named curve of an EC key we certify (OID from the SubjectPublicKeyInfo parameters).</summary>
    public AlgorithmRefusal? CheckX509Curve(string curveOid)
    {
        ArgumentNullException.ThrowIfNull(curveOid);
        if (NistCurves.ContainsKey(curveOid))
        {
            return null;
        }

        if (IsFips)
        {
            return new(X509AlgorithmName(curveOid), "only the NIST curves P-256, P-384 and P-521 are approved under the fips profile (FIPS 186-5)");
        }

        // Under default any curve the platform can verify is accepted (with a warning); unknown ones are not.
        return OtherCurves.ContainsKey(curveOid) && curveOid != "1.2.156.10197.1.301"
            ? null
            : new(X509AlgorithmName(curveOid), "elliptic curve not supported by this verifier");
    }

    /// <summary>An RSA key we certify (the node made it; the verification rule applies, RSA-2048 or more).</summary>
    public AlgorithmRefusal? CheckRsaCertifiedKey(int bits) => bits < 2048
        ? new($"RSA-{bits}", IsFips
            ? "RSA keys shorter than 2048 bits are not approved under the fips profile (SP 800-131A Rev. 2)"
            : "RSA keys shorter than 2048 bits are not certified")
        : null;

    /// <summary>Warnings for X.509 choices the default profile accepts but the fips profile refuses.</summary>
    public static string? X509LegacyWarning(string signatureOid, string? curveOid)
    {
        if (SignatureAlgorithms.TryGetValue(signatureOid, out var alg) && alg.Hash == "SHA-1")
        {
            return $"{alg.Name} is accepted by the default profile but refused by the fips profile";
        }

        return curveOid is not null && OtherCurves.ContainsKey(curveOid)
            ? $"{X509AlgorithmName(curveOid)} is accepted by the default profile but refused by the fips profile"
            : null;
    }
}
