using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Attest.Policies.Evaluation;

/// <summary>
/// IMA digital signatures v2 (security.ima type 3, linux/security/integrity/digsig_asymmetric.c): a signature over the
/// file digest under the header's hash algorithm. A key id alone is only a claim made by the file's xattr, so a
/// trusted key always comes with its public key and the signature is checked.
/// </summary>
public static class ImaSignatures
{
    public static AsymmetricAlgorithm? ImportKey(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        try
        {
            if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
            {
                using var cert = X509Certificate2.CreateFromPem(pem);
                return (AsymmetricAlgorithm?)cert.GetRSAPublicKey() ?? cert.GetECDsaPublicKey();
            }

            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return rsa;
            }
            catch (ArgumentException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                return ec;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The key id IMA uses: the last 4 bytes of the certificate's subject key identifier; null without a certificate.</summary>
    public static string? KeyIdOf(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            var ski = cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifier;
            return ski is { Length: >= 8 } ? ski[^8..].ToLowerInvariant() : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="signature"/> (header included) signs <paramref name="fileDigest"/> under <paramref name="key"/>.</summary>
    public static bool Verify(AsymmetricAlgorithm key, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> fileDigest, string hashAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signature.Length < 9)
        {
            return false;
        }

        var size = BinaryPrimitives.ReadUInt16BigEndian(signature[7..]);
        var body = signature[9..];
        if (body.Length != size)
        {
            return false;
        }

        var name = hashAlgorithm switch
        {
            "sha1" => HashAlgorithmName.SHA1,
            "sha256" => HashAlgorithmName.SHA256,
            "sha384" => HashAlgorithmName.SHA384,
            "sha512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (name == default)
        {
            return false;
        }

        return key switch
        {
            RSA rsa => rsa.VerifyHash(fileDigest, body, name, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.VerifyHash(fileDigest, body, DSASignatureFormat.Rfc3279DerSequence),
            _ => false,
        };
    }
}
