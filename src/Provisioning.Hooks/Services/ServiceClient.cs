using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Attest.Hooks.Services;

/// <summary>
/// JSON over HTTPS to a registrar or verifier, with bounded retries (exponential backoff with jitter) for what may
/// pass — connection failures, timeouts, 502/503/504 — and none for a refusal, which is final.
/// </summary>
public sealed class ServiceClient(HttpClient http, string serviceName, RetryPolicy retry)
{
    public string ServiceName { get; } = serviceName;

    public Task<T> GetAsync<T>(string path, CancellationToken ct) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) }, ct);

    public Task DeleteAsync(string path, CancellationToken ct) =>
        SendAsync<bool>(() => new HttpRequestMessage(HttpMethod.Delete, path), ct);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(retry.RequestTimeout);
                using var message = request();
                using var response = await http.SendAsync(message, timeout.Token);
                if (response.IsSuccessStatusCode && typeof(T) == typeof(bool))
                {
                    return (T)(object)true; // no body expected (204)
                }

                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                        ?? throw new ServiceUnavailableException($"{ServiceName} returned an empty answer");
                }

                var problem = await ReadProblemAsync(response, ct);
                if (response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    throw new ServiceRefusedException((int)response.StatusCode, problem.Code, problem.Detail);
                }

                failure = $"{(int)response.StatusCode} {problem.Code}: {problem.Detail}";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"no answer within {retry.RequestTimeout.TotalSeconds:0.#} s";
            }

            if (attempt >= retry.Attempts)
            {
                throw new ServiceUnavailableException($"{ServiceName} unreachable after {attempt} attempt(s): {failure}");
            }

            await Task.Delay(retry.Delay(attempt), ct);
        }
    }

    private static async Task<(string Code, string Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = json.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return (code ?? $"http_{(int)response.StatusCode}", detail ?? response.ReasonPhrase ?? "");
        }
        catch (JsonException)
        {
            return ($"http_{(int)response.StatusCode}", response.ReasonPhrase ?? "");
        }
    }
}

/// <param name="Attempts">Tries in all (1 = no retry).</param>
/// <param name="RequestTimeout">Limit for one try.</param>
/// <param name="BaseDelay">First backoff; doubled each retry, with up to 50 % jitter, capped at 10 s.</param>
public sealed record RetryPolicy(int Attempts, TimeSpan RequestTimeout, TimeSpan BaseDelay)
{
    public static readonly RetryPolicy Default = new(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));

    public TimeSpan Delay(int attempt)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jitter = 1 + (Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Min(10_000, exponential * jitter));
    }
}

/// <summary>The service could not be reached or kept failing: exit code 3.</summary>
public sealed class ServiceUnavailableException(string message) : Exception(message);

/// <summary>The service answered with a refusal (problem details with a stable code).</summary>
public sealed class ServiceRefusedException(int status, string code, string detail) : Exception($"{code}: {detail}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
