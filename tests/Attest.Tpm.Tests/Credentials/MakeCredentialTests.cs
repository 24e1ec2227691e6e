using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Credentials;
using Attest.Tpm.Tests.Support;

namespace Attest.Tpm.Tests.Credentials;

/// <summary>MakeCredential against a software ActivateCredential; TPM cross-checks are in CredentialSwtpmTests.</summary>
public class MakeCredentialTests
{
    private static readonly byte[] AkName = [0x00, 0x0B, .. RandomNumberGenerator.GetBytes(32)];

    [Fact]
    public void Rsa_ek_credential_round_trips()
    {
        var (key, ek) = SoftwareEndorsementKey.Rsa();
        using var _ = key;
        var secret = RandomNumberGenerator.GetBytes(32);

        var challenge = MakeCredential.Create(ek, AkName, secret);

        Assert.Equal(secret, SoftwareActivateCredential.Activate(key, ek, AkName, challenge));
        Assert.Equal(2 + 256, challenge.EncryptedSecret.Length);
    }

    [Theory]
    [InlineData(TpmEccCurve.NistP256)]
    [InlineData(TpmEccCurve.NistP384)]
    public void Ecc_ek_credential_round_trips(TpmEccCurve curve)
    {
        var (key, ek) = SoftwareEndorsementKey.Ecc(curve);
        using var _ = key;
        var secret = RandomNumberGenerator.GetBytes(16);

        var challenge = MakeCredential.Create(ek, AkName, secret);

        Assert.Equal(secret, SoftwareActivateCredential.Activate(key, ek, AkName, challenge));
    }

    [Fact]
    public void Credential_for_another_object_name_fails_integrity()
    {
        var (key, ek) = SoftwareEndorsementKey.Rsa();
        using var _ = key;
        var challenge = MakeCredential.Create(ek, AkName, RandomNumberGenerator.GetBytes(32));
        var otherName = (byte[])AkName.Clone();
        otherName[^1] ^= 1;

        var ex = Assert.Throws<CryptographicException>(() => SoftwareActivateCredential.Activate(key, ek, otherName, challenge));
        Assert.Contains("INTEGRITY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_blob_fails_integrity()
    {
        var (key, ek) = SoftwareEndorsementKey.Ecc();
        using var _ = key;
        var challenge = MakeCredential.Create(ek, AkName, RandomNumberGenerator.GetBytes(32));
        challenge.CredentialBlob[^1] ^= 1;

        Assert.Throws<CryptographicException>(() => SoftwareActivateCredential.Activate(key, ek, AkName, challenge));
    }

    [Fact]
    public void Credential_longer_than_the_name_digest_is_refused()
    {
        var (key, ek) = SoftwareEndorsementKey.Rsa();
        using var _ = key;

        Assert.Throws<ArgumentException>(() => MakeCredential.Create(ek, AkName, new byte[33]));
    }

    [Fact]
    public void Each_challenge_uses_a_fresh_seed()
    {
        var (key, ek) = SoftwareEndorsementKey.Rsa();
        using var _ = key;
        var secret = RandomNumberGenerator.GetBytes(32);

        var first = MakeCredential.Create(ek, AkName, secret);
        var second = MakeCredential.Create(ek, AkName, secret);

        Assert.NotEqual(first.CredentialBlob, second.CredentialBlob);
        Assert.NotEqual(first.EncryptedSecret, second.EncryptedSecret);
    }

    [Fact]
    public void Tpm2_tools_file_format_round_trips()
    {
        var (key, ek) = SoftwareEndorsementKey.Rsa();
        using var _ = key;
        var challenge = MakeCredential.Create(ek, AkName, RandomNumberGenerator.GetBytes(32));

        var parsed = CredentialChallenge.FromTpm2ToolsFormat(challenge.ToTpm2ToolsFormat());

        Assert.Equal(challenge.CredentialBlob, parsed.CredentialBlob);
        Assert.Equal(challenge.EncryptedSecret, parsed.EncryptedSecret);
    }
}
