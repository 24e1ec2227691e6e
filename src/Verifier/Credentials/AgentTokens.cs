using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Agent tokens: 256 bits from the platform CSPRNG, shown as <c>atk_</c> + base64url (the prefix lets secret scanners
/// find leaked ones). Only SHA-256 of the text is stored: with 256 bits of entropy a slow hash adds nothing.
/// </summary>
internal static class AgentTokens
{
    public const int SecretBytes = 32;
    private const string Prefix = "atk_";

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    public static string Format(ReadOnlySpan<byte> secret) => Prefix + Base64Url.EncodeToString(secret);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
