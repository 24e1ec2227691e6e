using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Attest.LoadTest;

/// <summary>JSON over one pooled HttpClient (HTTP/1.1, TLS as deployed unless --http), trusting exactly the services' certificate.</summary>
internal sealed class ApiClient(HttpClient http)
{
    public HttpClient Http => http;

    public static HttpClient CreateHttp(Uri baseAddress, X509Certificate2? trusted, int connections, string? apiKey = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Loopback only: pin the services' development certificate rather than trusting anything.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (trusted is not null && certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString()),
            },
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ct);
        await EnsureSuccessAsync(response, path, ct);
        return (await response.Content.ReadFromJsonAsync<TResponse>(ct))!;
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"POST {path}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
    }
}
