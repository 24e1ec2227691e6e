using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Registrar.EkCertificates;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Support;

namespace Attest.Registrar.Tests.EkCertificates;

public sealed class EkCertificateValidatorTests : IDisposable
{
    private readonly TempDirectory _roots = new();
    private readonly FakeTpmMaker _maker = FakeTpmMaker.Rsa();

    public EkCertificateValidatorTests() => _maker.WriteTo(_roots.Path);

    public void Dispose()
    {
        _maker.Dispose();
        _roots.Dispose();
    }

    private EkCertificateValidator Validator(CryptoProfile? profile = null, bool enforceValidity = false, bool trustIntermediates = true, string? directory = null)
        => new(new EkCertificateOptions
        {
            RootDirectory = directory ?? _roots.Path,
            EnforceValidityPeriod = enforceValidity,
            TrustConfiguredIntermediates = trustIntermediates,
        }, profile ?? CryptoProfile.Default);

    [Fact]
    public void Rsa_2048_ek_certificate_from_a_configured_maker_is_trusted()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(_maker.IssueEk(key), ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal("x509chain", result.ChainBuilder);
            Assert.Equal(3, result.Chain.Count);
            Assert.Equal(CertificateSource.EkCertificate, result.Chain[0].Source);
            Assert.True(result.Chain[2].IsAnchor);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(_maker.Root.RawData)), result.Chain[2].Sha256Thumbprint);
            Assert.Equal(_maker.Intermediate.Subject, result.Chain[1].Subject);
            Assert.Empty(result.Warnings);
        }
    }

    [Fact]
    public void Ecc_p256_ek_certificate_from_a_configured_maker_is_trusted()
    {
        using var maker = FakeTpmMaker.Ecc();
        maker.WriteTo(_roots.Path);
        var (key, ekPublic) = SoftwareEndorsementKey.Ecc(TpmEccCurve.NistP256);
        using (key)
        {
            var result = Validator().Validate(maker.IssueEk(key), ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal(3, result.Chain.Count);
        }
    }

    [Fact]
    public void Tpm_manufacturer_model_and_version_are_read_from_the_critical_subject_alt_name()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(_maker.IssueEk(key, manufacturer: "id:49465800", model: "SLB9670", version: "id:0007003D"), ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal(new TpmDeviceIdentity("id:49465800", "SLB9670", "id:0007003D"), result.Tpm);
            Assert.Equal("IFX", result.Tpm!.VendorId);
        }
    }

    [Fact]
    public void Ek_certificate_from_a_maker_not_configured_is_untrusted_and_names_the_missing_issuer()
    {
        using var other = FakeTpmMaker.Rsa("Other Maker");
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(other.IssueEk(key), ekPublic);

            Assert.False(result.Trusted);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(EkCertificateFailureCodes.Untrusted, failure.Code);
            Assert.Contains("Other Maker EK Manufacturing CA 01", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Self_signed_root_sent_by_the_node_is_never_a_trust_anchor()
    {
        using var attacker = FakeTpmMaker.Rsa("Attacker");
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(attacker.IssueEk(key), ekPublic, [attacker.Intermediate.RawData, attacker.Root.RawData]);

            Assert.False(result.Trusted);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(EkCertificateFailureCodes.Untrusted, failure.Code);
            Assert.Contains("Attacker Root CA", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Intermediate_sent_by_the_node_completes_a_chain_to_a_configured_root()
    {
        using var roots = new TempDirectory();
        _maker.WriteTo(roots.Path, root: true, intermediate: false);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = _maker.IssueEk(key);

            Assert.Equal(EkCertificateFailureCodes.Untrusted, Assert.Single(Validator(directory: roots.Path).Validate(ek, ekPublic).Failures).Code);
            var result = Validator(directory: roots.Path).Validate(ek, ekPublic, [_maker.Intermediate.RawData]);
            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal(CertificateSource.Node, result.Chain[1].Source);
            Assert.False(result.Chain[1].IsAnchor);
        }
    }

    [Fact]
    public void Many_node_certificates_posing_as_the_issuer_are_bounded_and_never_trusted()
    {
        using var attacker = FakeTpmMaker.Rsa("Attacker");
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            // Twelve self-signed CAs all named like the attacker's manufacturing CA: none is an anchor, and only
            // MaxNodeIntermediates of them are even looked at.
            var posers = Enumerable.Range(0, 12).Select(_ =>
            {
                using var poserKey = RSA.Create(2048);
                var request = new CertificateRequest(attacker.Intermediate.SubjectName, poserKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
                using var poser = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                return poser.RawData;
            }).ToList();

            var result = Validator().Validate(attacker.IssueEk(key), ekPublic, posers);

            Assert.Equal(EkCertificateFailureCodes.Untrusted, Assert.Single(result.Failures).Code);
            Assert.Contains(result.Warnings, w => w.Contains("only the first 8", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Ek_certificate_for_another_key_is_a_key_mismatch()
    {
        var (key, _) = SoftwareEndorsementKey.Rsa();
        var (otherKey, otherPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        using (otherKey)
        {
            var result = Validator().Validate(_maker.IssueEk(key), otherPublic);

            Assert.False(result.Trusted);
            Assert.Equal(EkCertificateFailureCodes.KeyMismatch, Assert.Single(result.Failures).Code);
        }
    }

    [Fact]
    public void Ecc_ek_certificate_presented_with_an_rsa_ek_is_a_key_mismatch()
    {
        var (ecc, _) = SoftwareEndorsementKey.Ecc();
        var (rsa, rsaPublic) = SoftwareEndorsementKey.Rsa();
        using (ecc)
        using (rsa)
        {
            var result = Validator().Validate(_maker.IssueEk(ecc), rsaPublic);

            Assert.Equal(EkCertificateFailureCodes.KeyMismatch, Assert.Single(result.Failures).Code);
        }
    }

    public static TheoryData<string, byte[]> MalformedInputs()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "garbage", [0x30, .. RandomNumberGenerator.GetBytes(300)] },
            { "PEM text", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"u8.ToArray() },
            { "oversized", new byte[20 * 1024] },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_ek_certificate_is_reported_not_thrown(string what, byte[] bytes)
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(bytes, ekPublic);

            Assert.False(result.Trusted, what);
            Assert.Equal(EkCertificateFailureCodes.Malformed, Assert.Single(result.Failures).Code);
        }
    }

    [Fact]
    public void Every_truncation_and_trailing_bytes_are_malformed_never_an_exception()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = _maker.IssueEk(key);
            var validator = Validator();
            for (var length = 0; length < ek.Length; length += 7)
            {
                Assert.Equal(EkCertificateFailureCodes.Malformed, Assert.Single(validator.Validate(ek.AsSpan(0, length), ekPublic).Failures).Code);
            }

            Assert.Equal(EkCertificateFailureCodes.Malformed, Assert.Single(validator.Validate([.. ek, 0x00], ekPublic).Failures).Code);
        }
    }

    [Fact]
    public void Flipped_bytes_in_the_ek_certificate_never_throw_and_never_pass()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = _maker.IssueEk(key);
            var validator = Validator();
            for (var i = 0; i < ek.Length; i += 5)
            {
                var mutated = (byte[])ek.Clone();
                mutated[i] ^= 0x41;
                var result = validator.Validate(mutated, ekPublic);
                Assert.False(result.Trusted, $"byte {i} flipped still trusted");
                Assert.NotEmpty(result.Failures);
            }
        }
    }

    [Fact]
    public void Garbage_node_intermediates_are_ignored_with_a_warning()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator().Validate(_maker.IssueEk(key), ekPublic, [[0x30, 0x03, 0x02, 0x01], new byte[40 * 1024]]);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal(2, result.Warnings.Count(w => w.Contains("node intermediate", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Rsa_1024_ek_chain_is_refused_under_fips_and_accepted_with_a_warning_under_default()
    {
        using var maker = FakeTpmMaker.Rsa("Legacy Maker", bits: 1024);
        maker.WriteTo(_roots.Path);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = maker.IssueEk(key);

            var fips = Validator(CryptoProfile.Fips).Validate(ek, ekPublic);
            Assert.False(fips.Trusted);
            Assert.All(fips.Failures, f => Assert.Equal(EkCertificateFailureCodes.AlgorithmRefused, f.Code));
            Assert.Contains(fips.Failures, f => f.Message.Contains("RSA-1024", StringComparison.Ordinal) && f.Message.Contains("fips", StringComparison.Ordinal));

            var lenient = Validator(CryptoProfile.Default).Validate(ek, ekPublic);
            Assert.True(lenient.Trusted, string.Join("; ", lenient.Failures));
            Assert.Contains(lenient.Warnings, w => w.Contains("RSA-1024", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Sha1_signed_ek_chain_is_refused_under_fips_and_accepted_with_a_warning_under_default()
    {
        using var maker = FakeTpmMaker.Rsa("SHA1 Maker", hash: HashAlgorithmName.SHA1);
        maker.WriteTo(_roots.Path);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = maker.IssueEk(key);

            var fips = Validator(CryptoProfile.Fips).Validate(ek, ekPublic);
            Assert.False(fips.Trusted);
            Assert.All(fips.Failures, f => Assert.Equal(EkCertificateFailureCodes.AlgorithmRefused, f.Code));
            Assert.Contains(fips.Failures, f => f.Message.Contains("SHA-1", StringComparison.Ordinal));

            var lenient = Validator(CryptoProfile.Default).Validate(ek, ekPublic);
            Assert.True(lenient.Trusted, string.Join("; ", lenient.Failures));
            Assert.Contains(lenient.Warnings, w => w.Contains("sha1WithRSAEncryption", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Expired_manufacturing_ca_is_a_warning_by_default_and_a_failure_when_enforced()
    {
        using var maker = FakeTpmMaker.Rsa("Old Maker", intermediateNotAfter: DateTimeOffset.UtcNow.AddDays(-30));
        maker.WriteTo(_roots.Path);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = maker.IssueEk(key);

            var lenient = Validator().Validate(ek, ekPublic);
            Assert.True(lenient.Trusted, string.Join("; ", lenient.Failures));
            Assert.Contains(lenient.Warnings, w => w.Contains("expired", StringComparison.Ordinal));

            var strict = Validator(enforceValidity: true).Validate(ek, ekPublic);
            Assert.False(strict.Trusted);
            Assert.Equal(EkCertificateFailureCodes.Expired, Assert.Single(strict.Failures).Code);
        }
    }

    [Fact]
    public void Ek_certificate_with_9999_not_after_is_valid_even_when_validity_is_enforced()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var result = Validator(enforceValidity: true).Validate(_maker.IssueEk(key), ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal(9999, result.Chain[0].NotAfter.Year);
        }
    }

    [Fact]
    public void Critical_subject_directory_attributes_do_not_fail_a_genuine_chain()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            // TCG EK Credential Profile ("Subject Directory Attributes"): tcg-at-tpmSpecification (2.23.133.2.16) in subjectDirectoryAttributes.
            var tpmSpecification = TpmSpecificationAttribute();
            var ek = _maker.IssueEk(key, r => r.CertificateExtensions.Add(new X509Extension("2.5.29.9", tpmSpecification, true)));

            var result = Validator().Validate(ek, ekPublic);

            Assert.True(result.Trusted, string.Join("; ", result.Failures));
        }
    }

    [Fact]
    public void Unknown_critical_extension_makes_the_chain_untrusted()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = _maker.IssueEk(key, r => r.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], true)));

            var result = Validator().Validate(ek, ekPublic);

            Assert.False(result.Trusted);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(EkCertificateFailureCodes.Untrusted, failure.Code);
            Assert.Contains("1.3.6.1.4.1.99999.1", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configured_intermediate_without_its_root_anchors_the_chain_unless_disabled()
    {
        using var roots = new TempDirectory();
        _maker.WriteTo(roots.Path, root: false, intermediate: true);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var ek = _maker.IssueEk(key);

            var result = Validator(directory: roots.Path).Validate(ek, ekPublic);
            Assert.True(result.Trusted, string.Join("; ", result.Failures));
            Assert.Equal("fallback", result.ChainBuilder);
            Assert.Equal(2, result.Chain.Count);
            Assert.Contains(result.Warnings, w => w.Contains("is not in the store", StringComparison.Ordinal));

            var strict = Validator(directory: roots.Path, trustIntermediates: false).Validate(ek, ekPublic);
            Assert.Equal(EkCertificateFailureCodes.Untrusted, Assert.Single(strict.Failures).Code);
        }
    }

    [Fact]
    public void Ek_certificate_signed_by_a_non_ca_certificate_is_untrusted()
    {
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        var (leafKey, _) = SoftwareEndorsementKey.Rsa();
        using (key)
        using (leafKey)
        {
            // An EK certificate (cA false) used as the issuer of another: the fallback builder must refuse it too.
            using var genuine = X509CertificateLoader.LoadCertificate(_maker.IssueEk(leafKey, subject: "CN=Not a CA"));
            var request = new CertificateRequest(new X500DistinguishedName([0x30, 0x00]), new PublicKey(key), HashAlgorithmName.SHA256);
            using var signer = RSA.Create(2048);
            using var forged = request.Create(genuine.SubjectName, X509SignatureGenerator.CreateForRSA(signer, RSASignaturePadding.Pkcs1),
                DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3]);

            var result = Validator().Validate(forged.RawData, ekPublic, [genuine.RawData]);

            Assert.Equal(EkCertificateFailureCodes.Untrusted, Assert.Single(result.Failures).Code);
        }
    }

    /// <summary>subjectDirectoryAttributes with tcg-at-tpmSpecification { "2.0", level 0, revision 138 }.</summary>
    private static byte[] TpmSpecificationAttribute()
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.23.133.2.16");
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.UTF8String, "2.0");
                writer.WriteInteger(0);
                writer.WriteInteger(138);
            }
        }

        return writer.Encode();
    }
}
