using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Attest.Cli.Operations;

/// <summary>attestctl's HTTPS calls to the verifier: URL, API key and TLS trust from options or ATTEST_* variables.</summary>
internal sealed class VerifierApi(HttpClient http)
{
    public static readonly Option<string?> Url = new("--verifier")
    {
        Description = "verifier URL (env ATTEST_VERIFIER_URL)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_VERIFIER_URL"),
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key (env ATTEST_API_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_API_KEY"),
    };

    public static readonly Option<FileInfo?> CaCertificate = new("--ca-cert")
    {
        Description = "PEM certificate to trust besides the system roots (env ATTEST_CA_CERT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_CA_CERT") is { Length: > 0 } path ? new FileInfo(path) : null,
    };

    /// <summary>Tests route requests to an in-memory server.</summary>
    internal static Func<HttpMessageHandler>? HandlerOverride { get; set; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void AddOptions(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(ApiKey);
        command.Options.Add(CaCertificate);
    }

    public static VerifierApi From(ParseResult parse)
    {
        var url = parse.GetValue(Url);
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress))
        {
            throw new CliUsageException("give the verifier URL with --verifier or ATTEST_VERIFIER_URL");
        }

        var handler = HandlerOverride?.Invoke() ?? Handler(parse.GetValue(CaCertificate));
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (parse.GetValue(ApiKey) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return new VerifierApi(http);
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new VerifierUnreachableException($"the verifier is unreachable: {ex.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                var (code, detail) = ("http_" + (int)response.StatusCode, text);
                try
                {
                    using var problem = JsonDocument.Parse(text);
                    code = problem.RootElement.TryGetProperty("code", out var c) ? c.GetString() ?? code : code;
                    detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? detail : detail;
                }
                catch (JsonException)
                {
                    // Not problem details: show the body as it came.
                }

                throw new VerifierRefusedException($"{code}: {detail}");
            }

            if (typeof(T) == typeof(bool))
            {
                return (T)(object)true;
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new VerifierRefusedException("empty answer");
        }
    }

    private static HttpMessageHandler Handler(FileInfo? caCertificate)
    {
        var handler = new SocketsHttpHandler();
        if (caCertificate is null)
        {
            return handler;
        }

        if (!caCertificate.Exists)
        {
            throw new CliUsageException($"--ca-cert '{caCertificate.FullName}' does not exist");
        }

        handler.SslOptions.RemoteCertificateValidationCallback = Contracts.Clients.ServiceCertificateTrust.With(Contracts.Clients.ServiceCertificateTrust.Load(caCertificate.FullName));
        return handler;
    }
}

/// <summary>The verifier refused the request (problem details): exit code 1.</summary>
internal sealed class VerifierRefusedException(string message) : Exception(message);

/// <summary>The verifier could not be reached: exit code 3.</summary>
internal sealed class VerifierUnreachableException(string message) : Exception(message);
