using System.Text;
using Attest.Verifier.Notifications;

namespace Attest.Verifier.Tests.Credentials;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("0123456789abcdef-webhook");

    [Fact]
    public void Signature_is_hmac_sha256_over_timestamp_dot_body()
    {
        var body = """{"type":"credentials.revoked"}"""u8.ToArray();
        using var hmac = new System.Security.Cryptography.HMACSHA256(Secret);
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.ASCII.GetBytes("1700000000.").Concat(body).ToArray()));

        Assert.Equal(expected, WebhookSignature.Compute(Secret, "1700000000", body));
        Assert.True(WebhookSignature.Verify(Secret, "1700000000", body, expected));
    }

    [Fact]
    public void Changed_body_or_timestamp_fails_verification()
    {
        var body = "{}"u8.ToArray();
        var signature = WebhookSignature.Compute(Secret, "1700000000", body);

        Assert.False(WebhookSignature.Verify(Secret, "1700000001", body, signature));
        Assert.False(WebhookSignature.Verify(Secret, "1700000000", "{ }"u8.ToArray(), signature));
    }
}
