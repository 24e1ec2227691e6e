using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;
using Attest.Tpm.Wire;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Attest.Tpm.Credentials;

/// <summary>
/// TPM2_MakeCredential done outside a TPM (TPM 2.0 Part 1 §24, Part 3 §12.6): wraps a credential so that only the
/// TPM holding the EK's private key, and only for an object with the given Name, can recover it with
/// ActivateCredential.
/// </summary>
public static class MakeCredential
{
    private const string IdentityLabel = "IDENTITY";

    /// <param name="encryptionKey">The EK (or any storage key with a symmetric definition): RSA or ECC.</param>
    /// <param name="objectName">The Name of the key being bound (the AK).</param>
    /// <param name="credential">The secret; at most the EK name algorithm's digest size.</param>
    public static CredentialChallenge Create(TpmPublic encryptionKey, ReadOnlySpan<byte> objectName, ReadOnlySpan<byte> credential)
    {
        ArgumentNullException.ThrowIfNull(encryptionKey);
        var nameAlg = encryptionKey.NameAlg;
        var digestSize = TpmHash.DigestSize(nameAlg);
        if (credential.Length == 0 || credential.Length > digestSize)
        {
            throw new ArgumentException($"credential must be 1..{digestSize} bytes for name algorithm {nameAlg.Name()}", nameof(credential));
        }

        var symmetric = encryptionKey.Parameters switch
        {
            RsaParameters rsa => rsa.Symmetric,
            EccParameters ecc => ecc.Symmetric,
            _ => SymmetricDefinition.Null,
        };
        if (symmetric.Algorithm != TpmAlgId.Aes || symmetric.Mode != TpmAlgId.Cfb)
        {
            throw new NotSupportedException($"the encryption key's symmetric definition must be AES-CFB, not {symmetric.Algorithm.Name()}/{symmetric.Mode.Name()}");
        }

        // Part 1 §24.4: the seed is protected to the EK (RSA-OAEP, or ECDH + KDFe) with label "IDENTITY".
        var (seed, encryptedSecret) = encryptionKey.Type switch
        {
            TpmAlgId.Rsa => RsaSeed(encryptionKey, digestSize),
            TpmAlgId.Ecc => EccSeed(encryptionKey, digestSize),
            _ => throw new NotSupportedException($"cannot make a credential for a {encryptionKey.Type.Name()} key"),
        };

        try
        {
            // Part 1 §24.4: symKey = KDFa(nameAlg, seed, "STORAGE", name, NULL, symBits); the encrypted identity
            // is the marshaled TPM2B_DIGEST credential in AES-CFB with a zero IV.
            var symKey = TpmKdf.KdfA(nameAlg, seed, "STORAGE", objectName, [], symmetric.KeyBits);
            var plain = new TpmWriter().WriteSized(credential).ToArray();
            var encIdentity = AesCfbEncrypt(symKey, plain);

            // Part 1 §24.5: HMACkey = KDFa(nameAlg, seed, "INTEGRITY", NULL, NULL, digestBits);
            // outerHMAC = HMAC(HMACkey, encIdentity || name).
            var hmacKey = TpmKdf.KdfA(nameAlg, seed, "INTEGRITY", [], [], digestSize * 8);
            using var hmac = IncrementalHash.CreateHMAC(TpmHash.ToHashAlgorithmName(nameAlg), hmacKey);
            hmac.AppendData(encIdentity);
            hmac.AppendData(objectName);
            var outerHmac = hmac.GetHashAndReset();

            var idObject = new TpmWriter().WriteSized(outerHmac).WriteBytes(encIdentity).ToArray();
            var credentialBlob = new TpmWriter().WriteSized(idObject).ToArray();
            var secret = new TpmWriter().WriteSized(encryptedSecret).ToArray();
            CryptographicOperations.ZeroMemory(symKey);
            CryptographicOperations.ZeroMemory(hmacKey);
            return new CredentialChallenge(credentialBlob, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static (byte[] Seed, byte[] EncryptedSecret) RsaSeed(TpmPublic ek, int digestSize)
    {
        var seed = RandomNumberGenerator.GetBytes(digestSize);
        var rsa = (RsaParameters)ek.Parameters;
        // .NET's RSA API cannot set an OAEP label; the TPM's label is "IDENTITY" including its NUL (Part 1 §B.10.3).
        var label = Encoding.ASCII.GetBytes(IdentityLabel + "\0");
        var oaep = new OaepEncoding(new RsaEngine(), BcDigest(ek.NameAlg), BcDigest(ek.NameAlg), label);
        var key = new RsaKeyParameters(false, new BigInteger(1, ek.Unique.ToArray()), BigInteger.ValueOf(rsa.EffectiveExponent));
        oaep.Init(true, new ParametersWithRandom(key, new SecureRandom()));
        return (seed, oaep.ProcessBlock(seed, 0, seed.Length));
    }

    private static (byte[] Seed, byte[] EncryptedSecret) EccSeed(TpmPublic ek, int digestSize)
    {
        var curve = ((EccParameters)ek.Parameters).Curve;
        using var ekKey = ek.CreateECDiffieHellman();
        using var ephemeral = ECDiffieHellman.Create(EccCurves.ToDotNet(curve));
        // Z is the x-coordinate of the shared point (SP 800-56A; Part 1 §C.6.1).
        var z = ephemeral.DeriveRawSecretAgreement(ekKey.PublicKey);
        var point = ephemeral.ExportParameters(false).Q;
        var size = EccCurves.CoordinateBytes(curve);
        var ekX = EccCurves.LeftPad(ek.EccX.Span, size);
        var seed = TpmKdf.KdfE(ek.NameAlg, z, IdentityLabel, point.X, ekX, digestSize * 8);
        CryptographicOperations.ZeroMemory(z);
        var encryptedSecret = new TpmWriter().WriteSized(point.X).WriteSized(point.Y).ToArray();
        return (seed, encryptedSecret);
    }

    /// <summary>AES-CFB with full-block feedback and a zero IV (Part 1 §11.4.6.3 for credential wrapping).</summary>
    internal static byte[] AesCfbEncrypt(byte[] key, ReadOnlySpan<byte> plain)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        // CFB is a stream mode: pad to a whole block for the platform API, then keep only the plaintext's length.
        var padded = new byte[(plain.Length + 15) / 16 * 16];
        plain.CopyTo(padded);
        var cipher = aes.EncryptCfb(padded, new byte[16], PaddingMode.None, feedbackSizeInBits: 128);
        return cipher.AsSpan(0, plain.Length).ToArray();
    }

    private static Org.BouncyCastle.Crypto.IDigest BcDigest(TpmAlgId hash) => hash switch
    {
        TpmAlgId.Sha1 => new Sha1Digest(),
        TpmAlgId.Sha256 => new Sha256Digest(),
        TpmAlgId.Sha384 => new Sha384Digest(),
        TpmAlgId.Sha512 => new Sha512Digest(),
        _ => throw new NotSupportedException($"OAEP with {hash.Name()} is not supported"),
    };
}

/// <summary>
/// The two ActivateCredential inputs, each marshaled with its size: TPM2B_ID_OBJECT (credentialBlob) and
/// TPM2B_ENCRYPTED_SECRET (secret).
/// </summary>
public sealed record CredentialChallenge(byte[] CredentialBlob, byte[] EncryptedSecret)
{
    /// <summary>The file tpm2-tools' makecredential writes and activatecredential reads (magic, version, blob, secret).</summary>
    public byte[] ToTpm2ToolsFormat() => new TpmWriter()
        .WriteUInt32(0xBADCC0DE).WriteUInt32(1).WriteBytes(CredentialBlob).WriteBytes(EncryptedSecret).ToArray();

    /// <summary>Reads the tpm2-tools credential file format.</summary>
    public static CredentialChallenge FromTpm2ToolsFormat(ReadOnlySpan<byte> bytes)
    {
        var reader = new TpmReader(bytes);
        var magicOffset = reader.Offset;
        if (reader.ReadUInt32("credential.magic") != 0xBADCC0DE)
        {
            throw new TpmFormatException("credential.magic", magicOffset, "not a tpm2-tools credential file");
        }

        reader.ReadUInt32("credential.version");
        var blobStart = reader.Position;
        reader.ReadSized("TPM2B_ID_OBJECT", 512);
        var blob = reader.Consumed(blobStart).ToArray();
        var secretStart = reader.Position;
        reader.ReadSized("TPM2B_ENCRYPTED_SECRET", 1024);
        var secret = reader.Consumed(secretStart).ToArray();
        reader.ExpectEnd("credential");
        return new CredentialChallenge(blob, secret);
    }
}
