using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Client;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Quotes;
using Attest.Tpm.Signatures;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Client;

/// <summary>Our client against a real software TPM: each command round-trips and answers what the spec says.</summary>
public sealed class SwtpmCommandTests(SwtpmFixture fixture) : IClassFixture<SwtpmFixture>
{
    private SwtpmInstance Swtpm => fixture.Instance;

    [SwtpmTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task GetRandom_returns_exactly_the_bytes_asked_for(int count)
    {
        await using var tpm = Swtpm.OpenClient();

        var first = await tpm.GetRandomAsync(count);
        var second = await tpm.GetRandomAsync(count);

        Assert.Equal(count, first.Length);
        if (count >= 16)
        {
            Assert.NotEqual(first, second);
        }
    }

    [SwtpmFact]
    public async Task Startup_on_a_started_TPM_is_tolerated_and_otherwise_reports_TPM_RC_INITIALIZE()
    {
        await using var tpm = Swtpm.OpenClient();

        await tpm.StartupAsync();
        var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.StartupAsync(alreadyStartedIsOk: false));

        Assert.Equal("TPM_RC_INITIALIZE", ex.Name);
    }

    [SwtpmFact]
    public async Task GetCapability_reports_the_three_banks_swtpm_setup_activated()
    {
        await using var tpm = Swtpm.OpenClient();

        var active = await tpm.GetActivePcrBanksAsync();
        var all = await tpm.GetPcrBanksAsync();

        Assert.Equal([TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384], active.Banks.Select(b => b.Hash));
        Assert.All(active.Banks, b => Assert.Equal(Enumerable.Range(0, 24), b.Indices));
        Assert.Contains(all.Banks, b => b.Hash == TpmAlgId.Sha512 && b.Indices.Count == 0);
    }

    [SwtpmFact]
    public async Task GetCapability_fixed_properties_name_the_maker_and_limits()
    {
        await using var tpm = Swtpm.OpenClient();

        var fixedProperties = await tpm.GetFixedPropertiesAsync();

        Assert.Equal("2.0", fixedProperties.Family);
        Assert.Equal("IBM", fixedProperties.Manufacturer);
        Assert.Equal(0x49424D00u, fixedProperties.ManufacturerId);
        Assert.Equal(24u, fixedProperties.PcrCount);
        Assert.Equal(1024u, fixedProperties.NvBufferMax);
        Assert.True(fixedProperties.MaxResponseSize >= 1024);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", fixedProperties.FirmwareVersion);
    }

    [SwtpmFact]
    public async Task GetCapability_lists_the_persistent_EKs_and_EK_certificate_indices()
    {
        await using var tpm = Swtpm.OpenClient();

        var persistent = await tpm.GetHandlesAsync(0x81000000);
        var nv = await tpm.GetHandlesAsync(0x01000000);

        Assert.Contains(TpmHandles.EkPersistentRsa2048, persistent);
        Assert.Contains(TpmHandles.EkPersistentEccP384, persistent);
        Assert.Contains(TpmHandles.EkCertificateRsa2048, nv);
        Assert.Contains(TpmHandles.EkCertificateEccP384, nv);
        Assert.All(persistent, h => Assert.True(TpmHandles.IsPersistent(h)));
    }

    [SwtpmFact]
    public async Task PCR_Extend_in_every_bank_gives_the_locally_computed_values()
    {
        await using var tpm = Swtpm.OpenClient();
        var banks = new[] { TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384 };
        var selection = new PcrSelection(banks.Select(b => new PcrBankSelection(b, [16])));
        var before = await tpm.PcrReadAsync(selection);
        var digests = banks.ToDictionary(b => b, b => TpmHash.Compute(b, "attest pcr extend"u8));

        await tpm.PcrExtendAsync(16, digests);
        var after = await tpm.PcrReadAsync(selection);

        foreach (var bank in banks)
        {
            var expected = before[bank, 16];
            TpmHash.Extend(bank, expected, digests[bank]);
            Assert.Equal(expected, after[bank, 16]);
        }

        // pcrUpdateCounter is not compared: PC Client PCR 16 is a no-increment PCR (TPM_PT_PCR_NO_INCREMENT).
    }

    [SwtpmFact]
    public async Task PCR_Read_of_all_PCRs_in_three_banks_returns_all_72_values()
    {
        await using var tpm = Swtpm.OpenClient();

        var result = await tpm.PcrReadAllAsync();

        Assert.Equal(72, result.Values.Banks.Sum(b => result.Values.Bank(b).Count));
        Assert.Equal(new byte[32], result[TpmAlgId.Sha256, 0]); // nothing measured into swtpm's PCR 0
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 48), result[TpmAlgId.Sha384, 17]); // DRTM PCRs reset to all-ones
    }

    [SwtpmFact]
    public async Task PCR_Read_of_an_inactive_bank_returns_nothing_for_it()
    {
        await using var tpm = Swtpm.OpenClient();

        var result = await tpm.PcrReadAsync(new PcrSelection([new PcrBankSelection(TpmAlgId.Sha512, [0, 1]), new PcrBankSelection(TpmAlgId.Sha256, [0])]));

        Assert.Empty(result.Values.Bank(TpmAlgId.Sha512));
        Assert.Single(result.Values.Bank(TpmAlgId.Sha256));
    }

    [SwtpmFact]
    public async Task Reading_a_missing_NV_index_is_TPM_RC_HANDLE_with_a_readable_message()
    {
        await using var tpm = Swtpm.OpenClient();

        var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.NvReadAsync(TpmHandles.EkCertificateEccP256));

        Assert.Equal("TPM_RC_HANDLE", ex.Name);
        Assert.Equal(1, ex.Code.Handle);
        Assert.StartsWith("TPM2_NV_ReadPublic failed: TPM_RC_HANDLE (0x18B) on handle 1: the handle is not correct for the use", ex.Message, StringComparison.Ordinal);
        Assert.Null(await tpm.ReadEkCertificateAsync(TpmHandles.EkCertificateEccP256));
    }

    [SwtpmFact]
    public async Task Reading_a_persistent_handle_that_does_not_exist_names_the_handle()
    {
        await using var tpm = Swtpm.OpenClient();

        var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.ReadPublicAsync(0x81000123));

        Assert.Equal(TpmCc.ReadPublic, ex.Command);
        Assert.Equal("TPM_RC_HANDLE", ex.Name);
        Assert.Equal(1, ex.Code.Handle);
    }

    [SwtpmFact]
    public async Task NV_Read_in_small_chunks_gives_the_same_bytes_as_in_one_go()
    {
        await using var tpm = Swtpm.OpenClient();

        var pub = await tpm.NvReadPublicAsync(TpmHandles.EkCertificateRsa2048);
        var whole = await tpm.NvReadAsync(TpmHandles.EkCertificateRsa2048);
        var chunked = await tpm.NvReadAsync(TpmHandles.EkCertificateRsa2048, maxChunk: 100);

        Assert.Equal(pub.DataSize, whole.Length);
        Assert.Equal(whole, chunked);
        Assert.NotEqual(0u, pub.Attributes & NvPublic.AuthRead);
        Assert.Equal(TpmAlgId.Sha256, pub.NameAlg);
    }

    [SwtpmTheory]
    [InlineData(TpmHandles.EkCertificateRsa2048, TpmHandles.EkPersistentRsa2048)]
    [InlineData(TpmHandles.EkCertificateEccP384, TpmHandles.EkPersistentEccP384)]
    public async Task EK_certificate_from_NV_parses_chains_to_the_local_CA_and_holds_the_EK_public_key(uint certIndex, uint ekHandle)
    {
        await using var tpm = Swtpm.OpenClient();

        var der = await tpm.ReadEkCertificateAsync(certIndex);
        var ek = await tpm.ReadPublicAsync(ekHandle);

        Assert.NotNull(der);
        using var cert = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(ek.Public.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());

        using var issuer = X509CertificateLoader.LoadCertificateFromFile(Swtpm.IssuerCertificatePath);
        using var root = X509CertificateLoader.LoadCertificateFromFile(Swtpm.RootCaCertificatePath);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // EK certificates carry the TCG SAN and an EK-certificate EKU that .NET does not know: only
        // signature and path matter here (the registrar decides on the rest).
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreInvalidPolicy | X509VerificationFlags.IgnoreWrongUsage;
        chain.Build(cert);
        Assert.Equal(3, chain.ChainElements.Count);
        Assert.DoesNotContain(chain.ChainStatus, s => s.Status is X509ChainStatusFlags.NotSignatureValid or X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot);
    }

    [SwtpmFact]
    public async Task CreatePrimary_with_EK_templates_L1_and_H3_recreates_the_EKs_swtpm_setup_persisted()
    {
        await using var tpm = Swtpm.OpenClient();

        foreach (var (template, persistent) in new[] { (KeyTemplates.EkRsa2048(), TpmHandles.EkPersistentRsa2048), (KeyTemplates.EkEccP384(), TpmHandles.EkPersistentEccP384) })
        {
            var created = await tpm.CreatePrimaryAsync(TpmHandles.Endorsement, template);
            await tpm.FlushContextAsync(created.Handle);
            var stored = await tpm.ReadPublicAsync(persistent);

            Assert.Equal(stored.Name, created.Name);
            Assert.Equal(created.Public.Name.ToArray(), created.Name);
        }
    }

    [SwtpmFact]
    public async Task CreatePrimary_with_EK_template_L2_makes_a_P256_EK_with_the_standard_policy()
    {
        await using var tpm = Swtpm.OpenClient();

        var ek = await tpm.CreatePrimaryAsync(TpmHandles.Endorsement, KeyTemplates.EkEccP256());
        await tpm.FlushContextAsync(ek.Handle);

        Assert.Equal(TpmEccCurve.NistP256, ek.Public.Ecc!.Curve);
        Assert.Equal(32, ek.Public.EccX.Length);
        Assert.Equal(Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA"), ek.Public.AuthPolicy.ToArray());
        Assert.Equal(KeyTemplates.EkLowRangeAttributes, ek.Public.Attributes);
    }

    [SwtpmTheory]
    [InlineData(TpmHandles.EkPersistentRsa2048)]
    [InlineData(TpmHandles.EkPersistentEccP384)]
    public async Task The_EK_policy_session_reaches_exactly_the_EK_authPolicy(uint ekHandle)
    {
        await using var tpm = Swtpm.OpenClient();
        var ek = await tpm.ReadPublicAsync(ekHandle);

        await using var session = await tpm.StartEkPolicySessionAsync(ek.Public);
        var digest = await tpm.PolicyGetDigestAsync(session);

        Assert.Equal(ek.Public.AuthPolicy.ToArray(), digest);
    }

    [SwtpmTheory]
    [InlineData("rsa")]
    [InlineData("p256")]
    [InlineData("p384")]
    public async Task An_AK_has_AK_attributes_and_its_quote_verifies_with_our_verifier(string kind)
    {
        await using var tpm = Swtpm.OpenClient();
        var ak = await tpm.CreateAttestationKeyAsync(AkTemplate(kind), KeyTemplates.SrkEccP256());
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(32);
            var selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 3, 7, 16]), new PcrBankSelection(TpmAlgId.Sha1, [0, 16])]);

            var quote = await tpm.QuoteAsync(ak.Handle, nonce, selection);
            var pcrs = await tpm.PcrReadAsync(selection);

            Assert.Equal(KeyTemplates.AkAttributes, ak.Public.Attributes);
            Assert.False(ak.Public.Has(ObjectAttributes.Decrypt));
            using var key = VerificationKey.FromTpmPublic(ak.Public);
            var result = QuoteVerifier.Verify(key, quote.Attest, quote.Signature, new QuoteExpectation { Nonce = nonce, Selection = selection, PcrValues = pcrs.Values }, CryptoProfile.Default);
            Assert.True(result.Passed, string.Join("; ", result.Failures));
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task CertifyCreation_by_the_AK_itself_verifies_as_a_creation_proof()
    {
        await using var tpm = Swtpm.OpenClient();
        var ak = await tpm.CreateAttestationKeyAsync(KeyTemplates.AkEcc(), KeyTemplates.SrkEccP256());
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(16);

            var proof = await tpm.CertifyCreationAsync(ak.Handle, ak.Handle, nonce, ak.Created.CreationHash, ak.Created.CreationTicket);
            var certify = await tpm.CertifyAsync(ak.Handle, ak.Handle, nonce);

            using var key = VerificationKey.FromTpmPublic(ak.Public);
            var creation = CertifyVerifier.VerifyCreation(key, proof.Attest, proof.Signature, ak.Public, ak.Created.CreationData, nonce, CryptoProfile.Default);
            Assert.True(creation.Passed, string.Join("; ", creation.Failures));
            var certified = CertifyVerifier.VerifyCertify(key, certify.Attest, certify.Signature, ak.Public, nonce, CryptoProfile.Default);
            Assert.True(certified.Passed, string.Join("; ", certified.Failures));
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task ActivateCredential_recovers_our_MakeCredential_secret_through_the_RSA_EK()
    {
        await using var tpm = Swtpm.OpenClient();
        var ek = await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048);
        var ak = await tpm.CreateAttestationKeyAsync(KeyTemplates.AkRsa2048(), KeyTemplates.SrkEccP256());
        try
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            var challenge = Attest.Tpm.Credentials.MakeCredential.Create(ek.Public, ak.Name, secret);

            var recovered = await tpm.ActivateCredentialWithEkAsync(ak.Handle, TpmHandles.EkPersistentRsa2048, challenge);

            Assert.Equal(secret, recovered);
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task ActivateCredential_for_another_AK_name_fails_with_TPM_RC_INTEGRITY()
    {
        await using var tpm = Swtpm.OpenClient();
        var ek = await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048);
        var ak = await tpm.CreateAttestationKeyAsync(KeyTemplates.AkEcc(), KeyTemplates.SrkEccP256());
        try
        {
            var otherName = ak.Name.ToArray();
            otherName[^1] ^= 1;
            var challenge = Attest.Tpm.Credentials.MakeCredential.Create(ek.Public, otherName, new byte[16]);

            var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.ActivateCredentialWithEkAsync(ak.Handle, TpmHandles.EkPersistentRsa2048, challenge));

            Assert.Equal("TPM_RC_INTEGRITY", ex.Name);
            Assert.Equal(TpmCc.ActivateCredential, ex.Command);
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task ActivateCredential_without_the_EK_policy_fails_with_a_policy_error()
    {
        await using var tpm = Swtpm.OpenClient();
        var ek = await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048);
        var ak = await tpm.CreateAttestationKeyAsync(KeyTemplates.AkEcc(), KeyTemplates.SrkEccP256());
        try
        {
            var challenge = Attest.Tpm.Credentials.MakeCredential.Create(ek.Public, ak.Name, new byte[16]);
            await using var empty = await tpm.StartPolicySessionAsync();

            var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.ActivateCredentialAsync(ak.Handle, TpmHandles.EkPersistentRsa2048, challenge, PasswordSession.Empty, empty));

            Assert.Equal("TPM_RC_POLICY_FAIL", ex.Name);
            Assert.Equal(2, ex.Code.Session);
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task EvictControl_persists_an_AK_and_evicts_it_again()
    {
        await using var tpm = Swtpm.OpenClient();
        var ak = await tpm.CreateAttestationKeyAsync(KeyTemplates.AkEcc(), KeyTemplates.SrkEccP256());
        const uint persistent = 0x81018100;
        try
        {
            await tpm.EvictControlAsync(ak.Handle, persistent);
            var stored = await tpm.ReadPublicAsync(persistent);
            Assert.Equal(ak.Name, stored.Name);

            await tpm.EvictControlAsync(persistent, persistent);
            Assert.DoesNotContain(persistent, await tpm.GetHandlesAsync(0x81000000));
        }
        finally
        {
            await tpm.FlushContextAsync(ak.Handle);
        }
    }

    [SwtpmFact]
    public async Task ReadClock_reports_a_running_clock_and_the_reset_count()
    {
        await using var tpm = Swtpm.OpenClient();

        var first = await tpm.ReadClockAsync();
        await Task.Delay(20);
        var second = await tpm.ReadClockAsync();

        Assert.True(second.Clock >= first.Clock);
        Assert.True(second.Time > first.Time);
        Assert.Equal(first.ResetCount, second.ResetCount);
    }

    internal static TpmPublic AkTemplate(string kind) => kind switch
    {
        "rsa" => KeyTemplates.AkRsa2048(),
        "p256" => KeyTemplates.AkEcc(TpmEccCurve.NistP256),
        "p384" => KeyTemplates.AkEcc(TpmEccCurve.NistP384),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
