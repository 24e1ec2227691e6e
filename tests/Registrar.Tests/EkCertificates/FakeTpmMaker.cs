using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// A TPM maker made in the test: root CA → intermediate (manufacturing) CA → EK certificates shaped like the
/// TCG EK Credential Profile's (empty subject, critical SAN with a directoryName of TPM manufacturer/model/version,
/// EKU tcg-kp-EKCertificate, keyEncipherment).
/// </summary>
internal sealed class FakeTpmMaker : IDisposable
{
    public const string TcgEkCertificateEku = "2.23.133.8.1";

    private readonly AsymmetricAlgorithm _rootKey;
    private readonly AsymmetricAlgorithm _intermediateKey;

    private FakeTpmMaker(string name, bool ecc, int rsaBits, HashAlgorithmName hash, DateTimeOffset intermediateNotAfter)
    {
        Name = name;
        Hash = hash;
        _rootKey = ecc ? ECDsa.Create(ECCurve.NamedCurves.nistP384) : RSA.Create(rsaBits);
        _intermediateKey = ecc ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(rsaBits);
        var notBefore = DateTimeOffset.UtcNow.AddYears(-5);
        var rootRequest = Request($"CN={name} Root CA, O={name}", _rootKey);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.Create(rootRequest.SubjectName, Generator(_rootKey), notBefore, notBefore.AddYears(30), Serial());

        var intermediateRequest = Request($"CN={name} EK Manufacturing CA 01, O={name}", _intermediateKey);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        Intermediate = intermediateRequest.Create(Root.SubjectName, Generator(_rootKey), notBefore, intermediateNotAfter, Serial());
    }

    public string Name { get; }

    public HashAlgorithmName Hash { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The manufacturing CA's key, for tests that hand-craft an EK certificate's encoding.</summary>
    public AsymmetricAlgorithm IntermediateKey => _intermediateKey;

    public static FakeTpmMaker Rsa(string name = "Fake TPM Maker", int bits = 2048, HashAlgorithmName? hash = null, DateTimeOffset? intermediateNotAfter = null)
        => new(name, ecc: false, bits, hash ?? HashAlgorithmName.SHA256, intermediateNotAfter ?? DateTimeOffset.UtcNow.AddYears(15));

    public static FakeTpmMaker Ecc(string name = "Fake ECC TPM Maker")
        => new(name, ecc: true, 0, HashAlgorithmName.SHA384, DateTimeOffset.UtcNow.AddYears(15));

    /// <summary>An EK certificate for <paramref name="ekKey"/> (RSA or ECDH), signed by the intermediate.</summary>
    public byte[] IssueEk(AsymmetricAlgorithm ekKey, Action<CertificateRequest>? customise = null, DateTimeOffset? notAfter = null,
        string manufacturer = "id:46414B45", string model = "FakeTPM", string version = "id:00010002", string? subject = null,
        RSASignaturePadding? padding = null)
    {
        // TCG EK Credential Profile ("Subject", "Subject Alternative Name"); RFC 5280 §4.2.1.6: the subject is empty and the TPM is named in a critical SAN.
        var subjectName = subject is null ? new X500DistinguishedName([0x30, 0x00]) : new X500DistinguishedName(subject);
        var request = new CertificateRequest(subjectName, new PublicKey(ekKey), Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TcgEkCertificateEku)], false));
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", TcgSubjectAltName(manufacturer, model, version), true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        customise?.Invoke(request);
        var notBefore = DateTimeOffset.UtcNow.AddYears(-1);
        var generator = padding is not null && _intermediateKey is RSA rsa ? X509SignatureGenerator.CreateForRSA(rsa, padding) : Generator(_intermediateKey);
        using var certificate = request.Create(Intermediate.SubjectName, generator, notBefore,
            notAfter ?? new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), Serial());
        return certificate.RawData;
    }

    /// <summary>Writes root and intermediate as PEM files into <paramref name="directory"/>.</summary>
    public void WriteTo(string directory, bool root = true, bool intermediate = true)
    {
        Directory.CreateDirectory(directory);
        var safe = Name.Replace(' ', '_');
        if (root)
        {
            File.WriteAllText(Path.Combine(directory, $"{safe}_root.pem"), Root.ExportCertificatePem());
        }

        if (intermediate)
        {
            File.WriteAllText(Path.Combine(directory, $"{safe}_ca01.pem"), Intermediate.ExportCertificatePem());
        }
    }

    /// <summary>GeneralNames with one directoryName holding the three TCG attributes, each its own RDN.</summary>
    public static byte[] TcgSubjectAltName(string manufacturer, string model, string version)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
            using (writer.PushSequence())
            {
                foreach (var (oid, value) in new[] { ("2.23.133.2.1", manufacturer), ("2.23.133.2.2", model), ("2.23.133.2.3", version) })
                {
                    using (writer.PushSetOf())
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(oid);
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                    }
                }
            }
        }

        return writer.Encode();
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }

    private CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, Hash, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, Hash),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    private X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa when Hash == HashAlgorithmName.SHA1 => new Sha1RsaSignatureGenerator(rsa),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
