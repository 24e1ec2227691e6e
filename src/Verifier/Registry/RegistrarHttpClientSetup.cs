using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Registry;

/// <summary>The HttpClient the verifier reads the registrar with: base URL, API key, and the registrar's certificate trusted.</summary>
internal static class RegistrarHttpClientSetup
{
    public static IServiceCollection AddRegistrarClient(this IServiceCollection services, string contentRoot)
    {
        services.AddMemoryCache();
        services.AddHttpClient<RegistrarClient>(RegistrarClient.HttpClientName, (sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<VerifierOptions>>().Value.Registrar;
            http.BaseAddress = new Uri(options.Url.TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(10);
            var key = !string.IsNullOrEmpty(options.ApiKey)
                ? options.ApiKey
                : ReadKeyFile(Path.Combine(contentRoot, options.ApiKeyFile));
            if (key is not null)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }).ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var options = sp.GetRequiredService<IOptions<VerifierOptions>>().Value.Registrar;
            var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            var trusted = LoadTrusted(options.TrustedCertificate is null ? null : Path.Combine(contentRoot, options.TrustedCertificate));
            if (trusted is not null)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = Contracts.Clients.ServiceCertificateTrust.With(trusted);
            }

            return handler;
        });
        return services;
    }

    private static string? ReadKeyFile(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static X509Certificate2? LoadTrusted(string? path) =>
        path is not null && File.Exists(path) ? Contracts.Clients.ServiceCertificateTrust.Load(path) : null;
}
