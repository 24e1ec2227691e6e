using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Crypto;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Credentials;

/// <summary>
/// The verifier's CA for agent certificates and the CRL: loaded from its folder, or generated on first start. The
/// key is kept encrypted (PKCS#8, PBES2 with AES-256-CBC and PBKDF2-HMAC-SHA-256) and owner-only.
/// </summary>
internal sealed partial class CertificateAuthority : IDisposable
{
    private const string KeyFile = "ca.key.pem";
    private const string CertificateFile = "ca.crt.pem";

    // The secret is normally a generated 256-bit value, so the KDF's cost guards only weak configured passwords.
    private static readonly PbeParameters AtRest = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000);

    private readonly AsymmetricAlgorithm _key;

    public CertificateAuthority(IOptions<VerifierOptions> options, CryptoProfile profile, IHostEnvironment environment, TimeProvider clock, ILogger<CertificateAuthority> logger)
    {
        var ca = options.Value.Credentials.Ca;
        var directory = Path.Combine(environment.ContentRootPath, ca.Directory);
        var keyPath = Path.Combine(directory, KeyFile);
        var certificatePath = Path.Combine(directory, CertificateFile);
        var password = CaKeyFiles.Password(ca, environment.ContentRootPath, out var generatedPassword);
        if (generatedPassword)
        {
            LogGeneratedSecret(logger, Path.Combine(environment.ContentRootPath, ca.KeyPasswordFile));
        }

        if (File.Exists(keyPath))
        {
            CaKeyFiles.CheckPermissions(keyPath);
            Certificate = X509CertificateLoader.LoadCertificateFromFile(certificatePath); // PEM or DER
            _key = LoadKey(File.ReadAllText(keyPath), password, Certificate);
            LogLoaded(logger, Certificate.Subject, Certificate.Thumbprint);
        }
        else
        {
            (_key, Certificate) = Create(ca, profile, clock.GetUtcNow());
            Directory.CreateDirectory(directory);
            var pem = _key switch
            {
                ECDsa ec => ec.ExportEncryptedPkcs8PrivateKeyPem(password, AtRest),
                RSA rsa => rsa.ExportEncryptedPkcs8PrivateKeyPem(password, AtRest),
                _ => throw new InvalidOperationException("unexpected CA key type"),
            };
            CaKeyFiles.WriteSecret(keyPath, pem);
            File.WriteAllText(certificatePath, Certificate.ExportCertificatePem());
            LogCreated(logger, Certificate.Subject, ca.KeyAlgorithm, keyPath);
        }

        CheckProfile(profile);
        Signer = _key is ECDsa ecKey ? X509SignatureGenerator.CreateForECDsa(ecKey) : X509SignatureGenerator.CreateForRSA((RSA)_key, RSASignaturePadding.Pkcs1);
        AuthorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public X509SignatureGenerator Signer { get; }

    /// <summary>SHA-384 for both key types: matches P-384's strength, approved by every profile.</summary>
    public HashAlgorithmName Hash => HashAlgorithmName.SHA384;

    public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier { get; }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    /// <summary>A loaded CA key must still satisfy the profile: a fips verifier refuses to sign with an RSA-2048 CA.</summary>
    private void CheckProfile(CryptoProfile profile)
    {
        var refusal = _key switch
        {
            RSA rsa => profile.CheckRsaKeyCreation(rsa.KeySize),
            ECDsa ec when ec.KeySize < 256 => new AlgorithmRefusal($"ECDSA-{ec.KeySize}", "CA keys must be P-256 or larger"),
            _ => null,
        };
        if (refusal is not null)
        {
            throw new InvalidOperationException($"the CA key cannot be used: {refusal}");
        }
    }

    private static (AsymmetricAlgorithm Key, X509Certificate2 Certificate) Create(CaOptions options, CryptoProfile profile, DateTimeOffset now)
    {
        AsymmetricAlgorithm key;
        CertificateRequest request;
        var subject = new X500DistinguishedName(options.Subject);
        if (options.KeyAlgorithm == "rsa-3072")
        {
            if (profile.CheckRsaKeyCreation(3072) is { } refusal)
            {
                throw new InvalidOperationException(refusal.ToString());
            }

            var rsa = RSA.Create(3072);
            key = rsa;
            request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
        }
        else
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            key = ec;
            request = new CertificateRequest(subject, ec, HashAlgorithmName.SHA384);
        }

        // RFC 5280 §4.2.1.9: a CA that issues end-entity certificates only (path length 0).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now + options.Lifetime);
        // Keep the public certificate apart from the key object we sign with.
        return (key, X509CertificateLoader.LoadCertificate(selfSigned.RawData));
    }

    private static AsymmetricAlgorithm LoadKey(string pem, string password, X509Certificate2 certificate)
    {
        try
        {
            if (certificate.GetECDsaPublicKey() is { } ecPublic)
            {
                ecPublic.Dispose();
                var ec = ECDsa.Create();
                ec.ImportFromEncryptedPem(pem, password);
                using var check = certificate.CopyWithPrivateKey(ec); // throws when the key is not the certificate's
                return ec;
            }

            var rsa = RSA.Create();
            rsa.ImportFromEncryptedPem(pem, password);
            using var checkRsa = certificate.CopyWithPrivateKey(rsa);
            return rsa;
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"the CA key cannot be decrypted or does not match the CA certificate: {ex.Message}", ex);
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Agent CA loaded: {Subject} ({Thumbprint})")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Agent CA created: {Subject} ({Algorithm}), key encrypted at {Path}")]
    private static partial void LogCreated(ILogger logger, string subject, string algorithm, string path);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "No Verifier:Credentials:Ca:KeyPassword configured: generated the CA key's at-rest secret in {Path}. Keep it apart from the key in production.")]
    private static partial void LogGeneratedSecret(ILogger logger, string path);
}
