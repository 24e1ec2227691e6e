using System.Security.Cryptography;
using System.Text;

namespace Attest.Verifier.Notifications;

/// <summary>
/// HMAC-SHA-256 over <c>timestamp.body</c>: the timestamp inside the MAC lets receivers refuse replays older than
/// their window, and the hex form is what receivers compare in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Attest-Signature";
    public const string TimestampHeader = "X-Attest-Timestamp";
    public const string EventHeader = "X-Attest-Event";

    /// <summary>HMAC keys shorter than 112 bits are not approved (SP 800-131A); 16 bytes is the floor here.</summary>
    public const int MinimumSecretBytes = 16;

    public static string Compute(byte[] secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return "sha256=" + Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    public static bool Verify(byte[] secret, string timestamp, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
