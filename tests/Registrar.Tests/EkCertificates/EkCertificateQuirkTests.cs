using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Registrar.EkCertificates;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Support;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>Encodings real TPM makers used in EK certificates: a genuine chain must still validate.</summary>
public sealed class EkCertificateQuirkTests : IDisposable
{
    private readonly TempDirectory _roots = new();
    private readonly FakeTpmMaker _maker = FakeTpmMaker.Rsa("Quirky Maker");

    public EkCertificateQuirkTests() => _maker.WriteTo(_roots.Path);

    public void Dispose()
    {
        _maker.Dispose();
        _roots.Dispose();
    }

    private EkCertificateValidator Validator() => new(new EkCertificateOptions { RootDirectory = _roots.Path }, CryptoProfile.Default);

    [Fact]
    public void Ek_certificate_with_a_negative_serial_number_validates()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = CertificateSurgery.Resign(_maker.IssueEk(key), tbs => CertificateSurgery.WithSerial(tbs, [0x80, 0x12, 0x34, 0x56, 0x78]),
                _maker.IntermediateKey, HashAlgorithmName.SHA256);

            var result = Validator().Validate(ek, ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures) + " | " + string.Join("; ", result.Warnings));
        }
    }

    [Fact]
    public void Ek_certificate_with_non_minimal_der_lengths_validates_over_the_bytes_received()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = CertificateSurgery.Resign(_maker.IssueEk(key), CertificateSurgery.WithNonMinimalLength, _maker.IntermediateKey, HashAlgorithmName.SHA256);

            var result = Validator().Validate(ek, ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures) + " | " + string.Join("; ", result.Warnings));
        }
    }

    [Fact]
    public void Ek_certificate_signed_with_rsassa_pss_validates()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(_maker.IssueEk(key, padding: RSASignaturePadding.Pss), ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
        }
    }

    [Fact]
    public void Tampered_tbs_with_the_original_signature_is_untrusted()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        using (var forger = RSA.Create(2048))
        {
            var ek = CertificateSurgery.Resign(_maker.IssueEk(key), tbs => tbs, forger, HashAlgorithmName.SHA256);

            var result = Validator().Validate(ek, ekPublic);

            Assert.Equal(EkCertificateFailureCodes.Untrusted, Assert.Single(result.Failures).Code);
        }
    }

    [Fact]
    public void Authority_key_identifier_naming_a_predecessor_issuer_serial_validates_through_the_fallback_builder()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            // Infineon's TPM 1.2-era intermediates: the AKI's authorityCertIssuer/serial name the self-signed
            // predecessor of the CA certificate that is distributed. OpenSSL refuses to pair them; the key still signed.
            var ek = _maker.IssueEk(key, request =>
            {
                var existing = request.CertificateExtensions.First(e => e.Oid?.Value == "2.5.29.35");
                request.CertificateExtensions.Remove(existing);
                var keyId = new X509SubjectKeyIdentifierExtension(_maker.Intermediate.PublicKey, false).SubjectKeyIdentifierBytes.Span;
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.Create(keyId, _maker.Intermediate.SubjectName, [0x03]));
            });

            var result = Validator().Validate(ek, ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal("fallback", result.ChainBuilder);
            Assert.Equal(3, result.Chain.Count);
            Assert.Contains(result.Warnings, w => w.Contains("fallback", StringComparison.Ordinal));
        }
    }
}
