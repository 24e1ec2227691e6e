using System.Security.Cryptography;
using System.Text;

namespace Attest.Tpm.Credentials;

/// <summary>
/// Seals data larger than MakeCredential can carry (≤ one digest) under a 32-byte secret that MakeCredential does carry:
/// key = HKDF-SHA-256(secret, info), then AES-256-GCM. Layout: nonce (12) || ciphertext || tag (16). Both are
/// approved mechanisms (SP 800-56C, SP 800-38D).
/// </summary>
public static class SealedCredential
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static byte[] Seal(ReadOnlySpan<byte> secret, string purpose, ReadOnlySpan<byte> plain)
    {
        var key = DeriveKey(secret, purpose);
        try
        {
            var output = new byte[NonceBytes + plain.Length + TagBytes];
            var nonce = output.AsSpan(0, NonceBytes);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagBytes);
            aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes, plain.Length), output.AsSpan(NonceBytes + plain.Length), Encoding.ASCII.GetBytes(purpose));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Throws <see cref="AuthenticationTagMismatchException"/> when the secret or data is wrong.</summary>
    public static byte[] Open(ReadOnlySpan<byte> secret, string purpose, ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("sealed data is too short");
        }

        var key = DeriveKey(secret, purpose);
        try
        {
            var plain = new byte[sealedData.Length - NonceBytes - TagBytes];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedData[..NonceBytes], sealedData.Slice(NonceBytes, plain.Length), sealedData[^TagBytes..], plain, Encoding.ASCII.GetBytes(purpose));
            return plain;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] DeriveKey(ReadOnlySpan<byte> secret, string purpose)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, [], Encoding.ASCII.GetBytes("attest " + purpose));
        return key;
    }
}
