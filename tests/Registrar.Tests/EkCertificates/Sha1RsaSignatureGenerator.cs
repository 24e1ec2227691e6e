using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// sha1WithRSAEncryption, which .NET's own generator no longer offers: the TPM 1.2-era makers' CAs (Infineon,
/// Nuvoton NTC) still sign with it, so tests need chains like theirs.
/// </summary>
internal sealed class Sha1RsaSignatureGenerator(RSA key) : X509SignatureGenerator
{
    // AlgorithmIdentifier { sha1WithRSAEncryption (1.2.840.113549.1.1.5), NULL }
    private static readonly byte[] AlgorithmIdentifier = Convert.FromHexString("300D06092A864886F70D0101050500");

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => (byte[])AlgorithmIdentifier.Clone();

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

    protected override PublicKey BuildPublicKey() => new(key);
}
