using Attest.Registrar.EkCertificates;
using Attest.Registrar.Enrollment;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Attest.Registrar.Tests.EkCertificates;

public sealed class EkCertificateRegistrationTests : IDisposable
{
    private readonly TempDirectory _roots = new();
    private readonly FakeTpmMaker _maker = FakeTpmMaker.Rsa();

    public EkCertificateRegistrationTests() => _maker.WriteTo(_roots.Path);

    public void Dispose()
    {
        _maker.Dispose();
        _roots.Dispose();
    }

    private ServiceProvider Services(Dictionary<string, string?> settings, CryptoProfile? profile = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        if (profile is not null)
        {
            services.AddSingleton(profile);
        }

        return services.AddEkCertificateValidation(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Registered_trust_evaluates_an_ek_certificate_with_a_summary_for_the_node_record()
    {
        using var provider = Services(new() { ["Registrar:EkCertificates:RootDirectory"] = _roots.Path });
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var decision = provider.GetRequiredService<IEkCertificateTrust>().Evaluate(_maker.IssueEk(key, model: "SLB9672"), [], ekPublic);

            Assert.True(decision.Trusted, string.Join("; ", decision.Failures));
            Assert.Equal("SLB9672", decision.Summary!.TpmModel);
            Assert.Equal(3, decision.Summary.Chain.Count);
            Assert.Same(provider.GetRequiredService<EkCertificateValidator>(), provider.GetRequiredService<EkCertificateValidator>());
        }
    }

    [Fact]
    public void Crypto_profile_registered_for_the_service_is_the_one_used()
    {
        using var legacy = FakeTpmMaker.Rsa("Legacy", bits: 1024);
        legacy.WriteTo(_roots.Path);
        using var provider = Services(new() { ["Registrar:EkCertificates:RootDirectory"] = _roots.Path }, CryptoProfile.Fips);
        var (key, ekPublic) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            var decision = provider.GetRequiredService<IEkCertificateTrust>().Evaluate(legacy.IssueEk(key), [], ekPublic);

            Assert.Contains(decision.Failures, f => f.Code == EkCertificateFailureCodes.AlgorithmRefused);
        }
    }

    [Fact]
    public void Enforce_validity_period_is_bound_from_configuration()
    {
        using var provider = Services(new()
        {
            ["Registrar:EkCertificates:RootDirectory"] = _roots.Path,
            ["Registrar:EkCertificates:EnforceValidityPeriod"] = "true",
        });

        Assert.True(provider.GetRequiredService<IOptions<EkCertificateOptions>>().Value.EnforceValidityPeriod);
    }

    [Fact]
    public void Invalid_size_bound_is_refused_at_start_up()
    {
        using var provider = Services(new()
        {
            ["Registrar:EkCertificates:RootDirectory"] = _roots.Path,
            ["Registrar:EkCertificates:MaxCertificateBytes"] = "10",
        });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EkCertificateOptions>>().Value);
    }
}
