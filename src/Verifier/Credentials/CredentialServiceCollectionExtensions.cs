using Attest.Verifier.Evidence;
using Attest.Verifier.Notifications;

namespace Attest.Verifier.Credentials;

public static class CredentialServiceCollectionExtensions
{
    /// <summary>The CA, issuance, revocation (with its observers) and notification webhooks.</summary>
    public static IServiceCollection AddCredentials(this IServiceCollection services)
    {
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<AgentCertificateIssuer>();
        services.AddSingleton<CredentialIssuance>();
        services.AddSingleton<CredentialRevocation>();
        services.AddSingleton<AgentTokenVerifier>();
        services.AddSingleton<CrlPublisher>();
        services.AddSingleton<IAttestationObserver, RevocationObserver>();
        services.AddSingleton<IAttestationObserver, FailureNotificationObserver>();
        services.AddHttpClient(WebhookNotifier.HttpClientName);
        services.AddSingleton<WebhookNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        return services;
    }
}
