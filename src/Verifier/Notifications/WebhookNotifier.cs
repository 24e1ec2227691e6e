using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Attest.Contracts.Verifier;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Notifications;

/// <summary>
/// Queues notifications and POSTs them, signed, to every configured webhook in the background, so a slow receiver
/// never delays a verdict or a revocation (which have already taken effect when the notification is queued).
/// </summary>
internal sealed partial class WebhookNotifier : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly NotificationOptions _options;
    private readonly byte[]? _secret;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebhookNotifier> _logger;

    public WebhookNotifier(IOptions<VerifierOptions> options, IHttpClientFactory http, TimeProvider clock, IHostEnvironment environment, ILogger<WebhookNotifier> logger)
    {
        _options = options.Value.Notifications;
        _http = http;
        _clock = clock;
        _logger = logger;
        if (_options.Webhooks.Count == 0)
        {
            return;
        }

        var secret = !string.IsNullOrEmpty(_options.Secret) ? _options.Secret
            : !string.IsNullOrEmpty(_options.SecretFile) ? File.ReadAllText(Path.Combine(environment.ContentRootPath, _options.SecretFile)).Trim()
            : throw new InvalidOperationException("Verifier:Notifications:Webhooks are configured but no Secret or SecretFile signs them");
        _secret = Encoding.UTF8.GetBytes(secret);
        if (_secret.Length < WebhookSignature.MinimumSecretBytes)
        {
            throw new InvalidOperationException($"Verifier:Notifications:Secret is refused: HMAC-SHA-256 keys must be at least {WebhookSignature.MinimumSecretBytes} bytes (112-bit minimum, SP 800-131A)");
        }
    }

    public void Publish(string type, string nodeId, IReadOnlyDictionary<string, string> data)
    {
        if (_secret is null)
        {
            return;
        }

        _queue.Writer.TryWrite(new Notification(Guid.NewGuid().ToString("N"), type, nodeId, _clock.GetUtcNow(), data));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_secret is null)
        {
            return;
        }

        await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(notification, JsonSerializerOptions.Web);
            foreach (var url in _options.Webhooks)
            {
                await SendAsync(url, notification, body, stoppingToken);
            }
        }
    }

    private async Task SendAsync(string url, Notification notification, byte[] body, CancellationToken ct)
    {
        var client = _http.CreateClient(HttpClientName);
        client.Timeout = _options.Timeout;
        for (var attempt = 1; attempt <= _options.Attempts; attempt++)
        {
            // Signed per attempt: the timestamp says when this delivery was made, so receivers' replay windows hold.
            var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(WebhookSignature.EventHeader, notification.Type);
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(_secret!, timestamp, body));
            try
            {
                using var response = await client.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                LogFailed(_logger, notification.Type, url, attempt, $"HTTP {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogFailed(_logger, notification.Type, url, attempt, ex.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Webhook {Type} to {Url} failed (attempt {Attempt}): {Error}")]
    private static partial void LogFailed(ILogger logger, string type, string url, int attempt, string error);
}
