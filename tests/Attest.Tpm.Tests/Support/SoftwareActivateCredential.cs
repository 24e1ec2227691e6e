using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Wire;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace Attest.Tpm.Tests.Support;

/// <summary>
/// ActivateCredential's TPM side in software, written from TPM 2.0 Part 1 §24 independently of MakeCredential's
/// code path, so unit tests can show tampering is caught; the TPM-backed cross-checks use swtpm and tpm2-tools.
/// </summary>
public static class SoftwareActivateCredential
{
    public static byte[] Activate(RSA ekPrivate, TpmPublic ek, ReadOnlySpan<byte> objectName, CredentialChallenge challenge)
    {
        var secret = Unsize(challenge.EncryptedSecret, "secret");
        var p = ekPrivate.ExportParameters(true);
        var oaep = new OaepEncoding(new RsaEngine(), new Sha256Digest(), new Sha256Digest(), Encoding.ASCII.GetBytes("IDENTITY\0"));
        oaep.Init(false, new RsaPrivateCrtKeyParameters(
            Big(p.Modulus!), Big(p.Exponent!), Big(p.D!), Big(p.P!), Big(p.Q!), Big(p.DP!), Big(p.DQ!), Big(p.InverseQ!)));
        var seed = oaep.ProcessBlock(secret, 0, secret.Length);
        return Unwrap(ek, seed, objectName, challenge);
    }

    public static byte[] Activate(ECDiffieHellman ekPrivate, TpmPublic ek, ReadOnlySpan<byte> objectName, CredentialChallenge challenge)
    {
        var reader = new TpmReader(Unsize(challenge.EncryptedSecret, "secret"));
        var x = reader.ReadSized("x", 128).ToArray();
        var y = reader.ReadSized("y", 128).ToArray();
        var curve = ((EccParameters)ek.Parameters).Curve;
        using var ephemeral = ECDiffieHellman.Create(new ECParameters { Curve = EccCurves.ToDotNet(curve), Q = new ECPoint { X = x, Y = y } });
        var z = ekPrivate.DeriveRawSecretAgreement(ephemeral.PublicKey);
        var seed = TpmKdf.KdfE(ek.NameAlg, z, "IDENTITY", x, ek.EccX.Span, TpmHash.DigestSize(ek.NameAlg) * 8);
        return Unwrap(ek, seed, objectName, challenge);
    }

    private static byte[] Unwrap(TpmPublic ek, byte[] seed, ReadOnlySpan<byte> objectName, CredentialChallenge challenge)
    {
        var reader = new TpmReader(Unsize(challenge.CredentialBlob, "credentialBlob"));
        var integrity = reader.ReadSized("integrityHMAC", 64).ToArray();
        var encIdentity = reader.Rest.ToArray();
        var hmacKey = TpmKdf.KdfA(ek.NameAlg, seed, "INTEGRITY", [], [], TpmHash.DigestSize(ek.NameAlg) * 8);
        byte[] message = [.. encIdentity, .. objectName];
        var expected = HMACSHA256.HashData(hmacKey, message);
        if (!CryptographicOperations.FixedTimeEquals(expected, integrity))
        {
            throw new CryptographicException("TPM_RC_INTEGRITY: credential blob integrity check failed");
        }

        var symKey = TpmKdf.KdfA(ek.NameAlg, seed, "STORAGE", objectName, [], 128);
        using var aes = Aes.Create();
        aes.Key = symKey;
        var padded = new byte[(encIdentity.Length + 15) / 16 * 16];
        encIdentity.CopyTo(padded, 0);
        var plain = aes.DecryptCfb(padded, new byte[16], PaddingMode.None, 128)[..encIdentity.Length];
        return new TpmReader(plain).ReadSized("credential", 64).ToArray();
    }

    private static byte[] Unsize(byte[] sized, string what)
    {
        var reader = new TpmReader(sized);
        var body = reader.ReadSized(what, 4096).ToArray();
        reader.ExpectEnd(what);
        return body;
    }

    private static BigInteger Big(byte[] value) => new(1, value);
}
