using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Crypto;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Quotes;
using Attest.Tpm.Signatures;
using Attest.Tpm.Tests.Support;

namespace Attest.Tpm.Tests.Quotes;

/// <summary>Quote verification logic over software-made quotes; the same checks run on swtpm quotes in QuoteSwtpmTests.</summary>
public class QuoteVerifierTests
{
    private static readonly byte[] Nonce = RandomNumberGenerator.GetBytes(32);

    public static TheoryData<string> KeyKinds => ["rsa2048", "rsa3072-pss", "p256", "p384-sha384"];

    private static SoftwareAttestationKey Key(string kind) => kind switch
    {
        "rsa2048" => SoftwareAttestationKey.CreateRsa(),
        "rsa3072-pss" => SoftwareAttestationKey.CreateRsa(3072, TpmAlgId.Sha256, TpmAlgId.RsaPss),
        "p256" => SoftwareAttestationKey.CreateEcc(),
        "p384-sha384" => SoftwareAttestationKey.CreateEcc(TpmEccCurve.NistP384, TpmAlgId.Sha384),
        _ => throw new ArgumentException(kind),
    };

    private static QuoteVerificationResult Verify(SoftwareAttestationKey key, byte[] attest, byte[] signature, PcrValues values, PcrSelection? selection = null, byte[]? nonce = null, CryptoProfile? profile = null)
    {
        using var ak = VerificationKey.FromTpmPublic(key.Public);
        return QuoteVerifier.Verify(ak, attest, signature, new QuoteExpectation
        {
            Nonce = nonce ?? Nonce,
            Selection = selection ?? PcrFixtures.Boot,
            PcrValues = values,
        }, profile ?? CryptoProfile.Default);
    }

    [Theory]
    [MemberData(nameof(KeyKinds))]
    public void Genuine_quote_verifies(string kind)
    {
        using var key = Key(kind);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);

        var result = Verify(key, attest, signature, values);

        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Equal(1u, result.Attest!.ClockInfo.ResetCount);
    }

    [Theory]
    [MemberData(nameof(KeyKinds))]
    public void Flipped_byte_in_quote_breaks_the_signature(string kind)
    {
        using var key = Key(kind);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        attest[^5] ^= 0x01; // inside the PCR digest: still parses

        var result = Verify(key, attest, signature, values);

        Assert.True(result.Has(QuoteFailureCodes.SignatureInvalid));
    }

    [Theory]
    [MemberData(nameof(KeyKinds))]
    public void Flipped_byte_in_signature_is_rejected(string kind)
    {
        using var key = Key(kind);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        signature[^3] ^= 0x80;

        var result = Verify(key, attest, signature, values);

        Assert.Equal([QuoteFailureCodes.SignatureInvalid], result.Failures.Select(f => f.Code));
    }

    [Fact]
    public void Wrong_nonce_is_rejected()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        var other = (byte[])Nonce.Clone();
        other[0] ^= 1;

        var result = Verify(key, attest, signature, values, nonce: other);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(QuoteFailureCodes.NonceMismatch, failure.Code);
        Assert.Equal(Convert.ToHexStringLower(other), failure.Expected);
    }

    [Fact]
    public void Changed_pcr_value_is_rejected_as_digest_mismatch()
    {
        using var key = Key("p256");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        values.TryGet(TpmAlgId.Sha256, 7, out var pcr7);
        var edited = pcr7.ToArray();
        edited[0] ^= 1;
        values.Set(TpmAlgId.Sha256, 7, edited);

        var result = Verify(key, attest, signature, values);

        Assert.Equal([QuoteFailureCodes.PcrDigestMismatch], result.Failures.Select(f => f.Code));
    }

    [Fact]
    public void Quote_of_another_selection_is_rejected()
    {
        using var key = Key("rsa2048");
        var quoted = PcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2);
        var values = PcrFixtures.RandomValues(quoted);
        var (attest, signature) = key.Quote(Nonce, quoted, values);

        var result = Verify(key, attest, signature, values, selection: PcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 7));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(QuoteFailureCodes.PcrSelectionMismatch, failure.Code);
        Assert.Equal("sha256:0,1,2,7", failure.Expected);
        Assert.Equal("sha256:0,1,2", failure.Actual);
    }

    [Fact]
    public void Missing_pcr_value_is_named()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        var partial = new PcrValues();
        foreach (var (index, value) in values.Bank(TpmAlgId.Sha256).Where(p => p.Key != 4))
        {
            partial.Set(TpmAlgId.Sha256, index, value);
        }

        var result = Verify(key, attest, signature, partial);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(QuoteFailureCodes.PcrValuesMissing, failure.Code);
        Assert.Equal("sha256:4", failure.Subject);
    }

    [Fact]
    public void Signed_structure_without_tpm_magic_is_rejected()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, _) = key.Quote(Nonce, PcrFixtures.Boot, values);
        attest[0] = 0x00; // The key signed it, but not as TPM-generated data.
        var signature = key.Sign(attest).Marshal();

        var result = Verify(key, attest, signature, values);

        Assert.Equal([QuoteFailureCodes.MagicInvalid], result.Failures.Select(f => f.Code));
    }

    [Fact]
    public void Certify_attestation_is_not_accepted_as_a_quote()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, _) = key.Quote(Nonce, PcrFixtures.Boot, values);
        attest[4] = 0x80;
        attest[5] = 0x17; // TPM_ST_ATTEST_CERTIFY; the body then no longer parses as certify info
        var signature = key.Sign(attest).Marshal();

        var result = Verify(key, attest, signature, values);

        Assert.Contains(result.Failures, f => f.Code is QuoteFailureCodes.Malformed or QuoteFailureCodes.TypeInvalid);
    }

    [Fact]
    public void Quote_signed_by_another_key_is_rejected()
    {
        using var key = Key("p256");
        using var other = Key("p256");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = other.Quote(Nonce, PcrFixtures.Boot, values);

        var result = Verify(key, attest, signature, values);

        Assert.Equal([QuoteFailureCodes.SignatureInvalid], result.Failures.Select(f => f.Code));
    }

    [Fact]
    public void Signature_scheme_other_than_the_keys_is_rejected()
    {
        using var key = SoftwareAttestationKey.CreateRsa(2048, TpmAlgId.Sha256, TpmAlgId.RsaPss);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        signature[1] = (byte)TpmAlgId.RsaSsa; // claim RSASSA for a PSS-only restricted key

        var result = Verify(key, attest, signature, values);

        Assert.Contains(result.Failures, f => f.Code == QuoteFailureCodes.SignatureSchemeMismatch);
    }

    [Fact]
    public void Sha1_quote_is_refused_under_fips_and_accepted_with_a_warning_by_default()
    {
        using var key = SoftwareAttestationKey.CreateRsa(2048, TpmAlgId.Sha1);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);

        var fips = Verify(key, attest, signature, values, profile: CryptoProfile.Fips);
        var lenient = Verify(key, attest, signature, values, profile: CryptoProfile.Default);

        var failure = Assert.Single(fips.Failures);
        Assert.Equal(QuoteFailureCodes.AlgorithmRefused, failure.Code);
        Assert.Contains("SHA-1", failure.Message, StringComparison.Ordinal);
        Assert.True(lenient.Passed);
        Assert.Contains(lenient.Warnings, w => w.Contains("SHA-1", StringComparison.Ordinal));
    }

    [Fact]
    public void Rsa1024_key_is_refused_under_fips()
    {
        using var key = SoftwareAttestationKey.CreateRsa(1024);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);

        var fips = Verify(key, attest, signature, values, profile: CryptoProfile.Fips);
        var lenient = Verify(key, attest, signature, values, profile: CryptoProfile.Default);

        Assert.Equal([QuoteFailureCodes.AlgorithmRefused], fips.Failures.Select(f => f.Code));
        Assert.Contains("RSA-1024", fips.Failures[0].Message, StringComparison.Ordinal);
        Assert.True(lenient.Passed);
        Assert.NotEmpty(lenient.Warnings);
    }

    [Fact]
    public void Sha1_pcr_bank_is_refused_under_fips()
    {
        using var key = Key("rsa2048");
        var selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha1, [0, 7])]);
        var values = PcrFixtures.RandomValues(selection);
        var (attest, signature) = key.Quote(Nonce, selection, values);

        var fips = Verify(key, attest, signature, values, selection, profile: CryptoProfile.Fips);
        var lenient = Verify(key, attest, signature, values, selection, profile: CryptoProfile.Default);

        Assert.Equal([QuoteFailureCodes.PcrBankRefused], fips.Failures.Select(f => f.Code));
        Assert.True(lenient.Passed);
    }

    [Fact]
    public void Truncated_quote_is_reported_as_malformed_not_thrown()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);

        var result = Verify(key, attest[..^3], signature, values);

        Assert.Contains(result.Failures, f => f.Code == QuoteFailureCodes.Malformed);
    }

    [Fact]
    public void Every_failure_is_reported_not_just_the_first()
    {
        using var key = Key("rsa2048");
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(Nonce, PcrFixtures.Boot, values);
        signature[^1] ^= 1;
        values.Set(TpmAlgId.Sha256, 0, new byte[32]);

        var result = Verify(key, attest, signature, values, nonce: new byte[32]);

        Assert.Equal(
            [QuoteFailureCodes.SignatureInvalid, QuoteFailureCodes.NonceMismatch, QuoteFailureCodes.PcrDigestMismatch],
            result.Failures.Select(f => f.Code));
    }
}
