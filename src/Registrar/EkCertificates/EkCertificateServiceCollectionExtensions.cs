using Attest.Registrar.Enrollment;
using Attest.Tpm.Crypto;
using Microsoft.Extensions.Options;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Registers the EK certificate validator (singleton: the root store is loaded once, at start-up, and its problems
/// logged) and <see cref="IEkCertificateTrust"/>. Configuration: section <c>Registrar:EkCertificates</c>.
/// </summary>
public static partial class EkCertificateServiceCollectionExtensions
{
    public static IServiceCollection AddEkCertificateValidation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EkCertificateOptions>()
            .Bind(configuration.GetSection(EkCertificateOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.RootDirectory), "Registrar:EkCertificates:RootDirectory must name the TPM makers' CA folder")
            .Validate(o => o.MaxCertificateBytes is >= 1024 and <= 64 * 1024, "Registrar:EkCertificates:MaxCertificateBytes must be 1024..65536")
            .Validate(o => o.MaxNodeIntermediates is >= 0 and <= 16, "Registrar:EkCertificates:MaxNodeIntermediates must be 0..16")
            .ValidateOnStart();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EkCertificateOptions>>().Value;
            // The service-wide profile (Crypto:Profile) when the host registered it, as the registrar does.
            var profile = provider.GetService<CryptoProfile>() ?? CryptoProfile.FromName(configuration["Crypto:Profile"]);
            var store = TpmMakerRootStore.Load(options.RootDirectory, options.TrustConfiguredIntermediates);
            LogStore(provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EkCertificateValidator)), store, options);
            return new EkCertificateValidator(store, options, profile, provider.GetService<TimeProvider>());
        });
        services.AddSingleton<IEkCertificateTrust, EkCertificateTrust>();
        return services;
    }

    private static void LogStore(ILogger logger, TpmMakerRootStore store, EkCertificateOptions options)
    {
        LogLoaded(logger, store.Certificates.Count, store.Roots.Count, store.Intermediates.Count, store.Directory);
        foreach (var problem in store.Problems)
        {
            LogProblem(logger, problem.File, problem.Reason);
        }

        foreach (var unrooted in store.Unrooted.Where(u => ReferenceEquals(u.Top, u.Certificate)))
        {
            LogUnrooted(logger, unrooted.Certificate.Subject, unrooted.Certificate.Origin, unrooted.MissingIssuer,
                options.TrustConfiguredIntermediates ? "trusted as a configured anchor" : "not trusted (TrustConfiguredIntermediates is off)");
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "EK root store: {Count} CA certificates ({Roots} roots, {Intermediates} intermediates) from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, int roots, int intermediates, string directory);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "EK root store: {File} not loaded: {Reason}")]
    private static partial void LogProblem(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "EK root store: '{Subject}' ({File}) has no issuer in the store (missing '{Issuer}'): {Treatment}")]
    private static partial void LogUnrooted(ILogger logger, string subject, string file, string issuer, string treatment);
}
