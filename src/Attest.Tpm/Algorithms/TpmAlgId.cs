namespace Attest.Tpm.Algorithms;

/// <summary>TPM_ALG_ID values (TCG Algorithm Registry). Unknown values stay representable as the raw number.</summary>
#pragma warning disable CA1028 // The wire type of TPM_ALG_ID is UINT16.
public enum TpmAlgId : ushort
#pragma warning restore CA1028
{
    Error = 0x0000,
    Rsa = 0x0001,
    Tdes = 0x0003,
    Sha1 = 0x0004,
    Hmac = 0x0005,
    Aes = 0x0006,
    Mgf1 = 0x0007,
    KeyedHash = 0x0008,
    Xor = 0x000A,
    Sha256 = 0x000B,
    Sha384 = 0x000C,
    Sha512 = 0x000D,
    Null = 0x0010,
    Sm3_256 = 0x0012,
    Sm4 = 0x0013,
    RsaSsa = 0x0014,
    RsaEs = 0x0015,
    RsaPss = 0x0016,
    Oaep = 0x0017,
    Ecdsa = 0x0018,
    Ecdh = 0x0019,
    Ecdaa = 0x001A,
    Sm2 = 0x001B,
    EcSchnorr = 0x001C,
    EcMqv = 0x001D,
    Kdf1Sp800_56A = 0x0020,
    Kdf2 = 0x0021,
    Kdf1Sp800_108 = 0x0022,
    Ecc = 0x0023,
    SymCipher = 0x0025,
    Camellia = 0x0026,
    Sha3_256 = 0x0027,
    Sha3_384 = 0x0028,
    Sha3_512 = 0x0029,
    Ctr = 0x0040,
    Ofb = 0x0041,
    Cbc = 0x0042,
    Cfb = 0x0043,
    Ecb = 0x0044,
}

/// <summary>TPM_ECC_CURVE values (TCG Algorithm Registry).</summary>
#pragma warning disable CA1028
public enum TpmEccCurve : ushort
#pragma warning restore CA1028
{
    None = 0x0000,
    NistP192 = 0x0001,
    NistP224 = 0x0002,
    NistP256 = 0x0003,
    NistP384 = 0x0004,
    NistP521 = 0x0005,
    BnP256 = 0x0010,
    BnP638 = 0x0011,
    Sm2P256 = 0x0020,
    BrainpoolP256R1 = 0x0030,
    BrainpoolP384R1 = 0x0031,
    BrainpoolP512R1 = 0x0032,
    Curve25519 = 0x0040,
    Curve448 = 0x0041,
}

public static class TpmAlgNames
{
    /// <summary>Lower-case name as tpm2-tools prints it (sha256, rsassa, ...), or 0xNNNN when unknown.</summary>
    public static string Name(this TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => "sha1",
        TpmAlgId.Sha256 => "sha256",
        TpmAlgId.Sha384 => "sha384",
        TpmAlgId.Sha512 => "sha512",
        TpmAlgId.Sm3_256 => "sm3_256",
        TpmAlgId.Sha3_256 => "sha3_256",
        TpmAlgId.Sha3_384 => "sha3_384",
        TpmAlgId.Sha3_512 => "sha3_512",
        _ when Enum.IsDefined(alg) => alg.ToString().ToLowerInvariant(),
        _ => $"0x{(ushort)alg:x4}",
    };

    public static string Name(this TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP192 => "P-192",
        TpmEccCurve.NistP224 => "P-224",
        TpmEccCurve.NistP256 => "P-256",
        TpmEccCurve.NistP384 => "P-384",
        TpmEccCurve.NistP521 => "P-521",
        _ when Enum.IsDefined(curve) => curve.ToString(),
        _ => $"0x{(ushort)curve:x4}",
    };

    /// <summary>Parses a hash bank name (sha1, sha256, ...); false when it is not one.</summary>
    public static bool TryParseHash(string name, out TpmAlgId alg)
    {
        alg = name.ToLowerInvariant() switch
        {
            "sha1" or "sha-1" => TpmAlgId.Sha1,
            "sha256" or "sha-256" => TpmAlgId.Sha256,
            "sha384" or "sha-384" => TpmAlgId.Sha384,
            "sha512" or "sha-512" => TpmAlgId.Sha512,
            "sm3_256" => TpmAlgId.Sm3_256,
            "sha3_256" => TpmAlgId.Sha3_256,
            "sha3_384" => TpmAlgId.Sha3_384,
            "sha3_512" => TpmAlgId.Sha3_512,
            _ => TpmAlgId.Error,
        };
        return alg != TpmAlgId.Error;
    }
}
