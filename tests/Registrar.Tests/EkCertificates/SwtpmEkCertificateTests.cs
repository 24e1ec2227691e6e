using Attest.Registrar.EkCertificates;
using Attest.Tpm.Client;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// Real EK certificates: swtpm_setup --create-ek-cert makes them with swtpm_localca (RSA-2048 and ECC P-384, the
/// TCG SAN layout, a critical SAN), read here from NV with our TPM client.
/// </summary>
public sealed class SwtpmEkCertificateTests(SwtpmFixture swtpm) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly TempDirectory _roots = new();

    public void Dispose() => _roots.Dispose();

    private EkCertificateValidator LocalCaValidator(CryptoProfile profile)
    {
        File.Copy(swtpm.Instance.RootCaCertificatePath, _roots.File("swtpm-localca-root.pem"), overwrite: true);
        File.Copy(swtpm.Instance.IssuerCertificatePath, _roots.File("swtpm-localca-issuer.pem"), overwrite: true);
        return new EkCertificateValidator(new EkCertificateOptions { RootDirectory = _roots.Path }, profile);
    }

    [SwtpmTheory]
    [InlineData(TpmHandles.EkCertificateRsa2048, TpmHandles.EkPersistentRsa2048, "default")]
    [InlineData(TpmHandles.EkCertificateRsa2048, TpmHandles.EkPersistentRsa2048, "fips")]
    [InlineData(TpmHandles.EkCertificateEccP384, TpmHandles.EkPersistentEccP384, "default")]
    [InlineData(TpmHandles.EkCertificateEccP384, TpmHandles.EkPersistentEccP384, "fips")]
    public async Task Swtpm_ek_certificate_validates_against_its_local_ca(uint certificateIndex, uint ekHandle, string profile)
    {
        var (certificate, ekPublic) = await ReadEkAsync(certificateIndex, ekHandle);

        var result = LocalCaValidator(CryptoProfile.FromName(profile)).Validate(certificate, ekPublic.Public);

        Assert.True(result.Trusted, string.Join("; ", result.Failures));
        Assert.Equal(3, result.Chain.Count);
        Assert.True(result.Chain[^1].IsAnchor);
        Assert.NotNull(result.Tpm);
        Assert.Equal("id:00001014", result.Tpm!.Manufacturer); // what swtpm_localca writes for swtpm (IBM)
        Assert.NotNull(result.Tpm.Model);
        Assert.NotNull(result.Tpm.Version);
    }

    [SwtpmTheory]
    [InlineData(TpmHandles.EkCertificateRsa2048, TpmHandles.EkPersistentRsa2048)]
    [InlineData(TpmHandles.EkCertificateEccP384, TpmHandles.EkPersistentEccP384)]
    public async Task Swtpm_ek_certificate_is_untrusted_against_the_real_tpm_makers_store(uint certificateIndex, uint ekHandle)
    {
        var (certificate, ekPublic) = await ReadEkAsync(certificateIndex, ekHandle);
        var directory = SharedTpmCa.Directory ?? _roots.Path; // an empty store says the same when the shared folder is absent

        var result = new EkCertificateValidator(new EkCertificateOptions { RootDirectory = directory }, CryptoProfile.Default).Validate(certificate, ekPublic.Public);

        Assert.False(result.Trusted);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(EkCertificateFailureCodes.Untrusted, failure.Code);
        Assert.Contains("swtpm-localca", failure.Message, StringComparison.Ordinal);
    }

    [SwtpmFact]
    public async Task Swtpm_rsa_ek_certificate_presented_with_the_ecc_ek_is_a_key_mismatch()
    {
        var (certificate, _) = await ReadEkAsync(TpmHandles.EkCertificateRsa2048, TpmHandles.EkPersistentRsa2048);
        var (_, eccEk) = await ReadEkAsync(TpmHandles.EkCertificateEccP384, TpmHandles.EkPersistentEccP384);

        var result = LocalCaValidator(CryptoProfile.Default).Validate(certificate, eccEk.Public);

        Assert.Equal(EkCertificateFailureCodes.KeyMismatch, Assert.Single(result.Failures).Code);
    }

    private async Task<(byte[] Certificate, ObjectPublic Ek)> ReadEkAsync(uint certificateIndex, uint ekHandle)
    {
        await using var tpm = swtpm.Instance.OpenClient();
        var certificate = await tpm.ReadEkCertificateAsync(certificateIndex) ?? throw new InvalidOperationException($"no EK certificate at NV 0x{certificateIndex:X8}");
        var ek = await tpm.ReadPublicAsync(ekHandle);
        return (certificate, ek);
    }
}
