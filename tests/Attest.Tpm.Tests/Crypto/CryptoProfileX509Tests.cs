using Attest.Tpm.Crypto;

namespace Attest.Tpm.Tests.Crypto;

/// <summary>The profile's X.509 and TLS rules, one OID at a time: every refusal names the algorithm and the rule.</summary>
public sealed class CryptoProfileX509Tests
{
    [Theory]
    [InlineData("1.2.840.113549.1.1.5", "sha1WithRSAEncryption")]
    [InlineData("1.2.840.10045.4.1", "ecdsa-with-SHA1")]
    public void Sha1_signature_algorithms_are_refused_under_fips_only(string oid, string name)
    {
        var refusal = CryptoProfile.Fips.CheckX509SignatureAlgorithm(oid);

        Assert.Equal(name, refusal?.Algorithm);
        Assert.Contains("SP 800-131A", refusal!.Rule, StringComparison.Ordinal);
        Assert.Null(CryptoProfile.Default.CheckX509SignatureAlgorithm(oid));
        Assert.Contains("refused by the fips profile", CryptoProfile.X509LegacyWarning(oid, null), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.840.113549.1.1.4")] // md5WithRSAEncryption
    [InlineData("1.3.101.112")] // Ed25519
    [InlineData("1.2.840.113549.1.1.10")] // RSASSA-PSS (hash in parameters, not parsed)
    public void Md5_eddsa_and_pss_requests_are_refused_by_both_profiles(string oid)
    {
        Assert.NotNull(CryptoProfile.Fips.CheckX509SignatureAlgorithm(oid));
        Assert.NotNull(CryptoProfile.Default.CheckX509SignatureAlgorithm(oid));
    }

    [Theory]
    [InlineData("1.2.840.10045.4.3.2")]
    [InlineData("1.2.840.10045.4.3.3")]
    [InlineData("1.2.840.113549.1.1.11")]
    [InlineData("1.2.840.113549.1.1.13")]
    public void Sha2_signature_algorithms_pass_both_profiles(string oid)
    {
        Assert.Null(CryptoProfile.Fips.CheckX509SignatureAlgorithm(oid));
        Assert.Null(CryptoProfile.Default.CheckX509SignatureAlgorithm(oid));
    }

    [Theory]
    [InlineData("1.2.840.10045.3.1.1", "P-192")]
    [InlineData("1.3.132.0.10", "secp256k1")]
    [InlineData("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1")]
    public void Non_nist_curves_are_refused_under_fips_and_accepted_by_default(string oid, string name)
    {
        var refusal = CryptoProfile.Fips.CheckX509Curve(oid);

        Assert.Equal(name, refusal?.Algorithm);
        Assert.Contains("FIPS 186-5", refusal!.Rule, StringComparison.Ordinal);
        Assert.Null(CryptoProfile.Default.CheckX509Curve(oid));
    }

    [Fact]
    public void Nist_curves_pass_and_unknown_curves_fail_both_profiles()
    {
        foreach (var oid in new[] { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35" })
        {
            Assert.Null(CryptoProfile.Fips.CheckX509Curve(oid));
        }

        Assert.NotNull(CryptoProfile.Default.CheckX509Curve("1.2.3.4"));
        Assert.NotNull(CryptoProfile.Default.CheckX509Curve("1.2.156.10197.1.301")); // SM2
    }

    [Fact]
    public void Rsa_keys_below_2048_bits_are_not_certified()
    {
        Assert.Equal("RSA-1024", CryptoProfile.Fips.CheckRsaCertifiedKey(1024)?.Algorithm);
        Assert.NotNull(CryptoProfile.Default.CheckRsaCertifiedKey(1024));
        Assert.Null(CryptoProfile.Fips.CheckRsaCertifiedKey(2048));
    }

    [Fact]
    public void Fips_tls_suites_are_aead_with_ephemeral_key_exchange_and_default_leaves_the_platform_list()
    {
        Assert.Null(CryptoProfile.Default.TlsCipherSuites);
        Assert.All(CryptoProfile.Fips.TlsCipherSuites!, suite =>
        {
            var name = suite.ToString();
            Assert.True(name.Contains("GCM", StringComparison.Ordinal) || name.Contains("CCM", StringComparison.Ordinal), name);
            Assert.DoesNotContain("CHACHA", name, StringComparison.Ordinal);
            Assert.True(name.StartsWith("TLS_AES_", StringComparison.Ordinal) || name.Contains("DHE_", StringComparison.Ordinal), name);
        });
    }
}
