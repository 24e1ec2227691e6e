using System.ComponentModel.DataAnnotations;

namespace Attest.Verifier.Notifications;

/// <summary>Section <c>Verifier:Notifications</c>: HMAC-SHA-256-signed webhooks for revocations and failed attestations.</summary>
public sealed class NotificationOptions
{
    /// <summary>URLs each notification is POSTed to (empty: none sent).</summary>
    public List<string> Webhooks { get; set; } = [];

    /// <summary>HMAC-SHA-256 key (at least 16 bytes); empty: read from <see cref="SecretFile"/>.</summary>
    public string? Secret { get; set; }

    public string? SecretFile { get; set; }

    [Range(1, 10)]
    public int Attempts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
