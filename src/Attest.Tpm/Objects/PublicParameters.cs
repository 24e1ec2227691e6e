using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Objects;

/// <summary>TPMT_SYM_DEF_OBJECT; <see cref="Algorithm"/> is Null when the object has no symmetric part.</summary>
public sealed record SymmetricDefinition(TpmAlgId Algorithm, ushort KeyBits, TpmAlgId Mode)
{
    public static readonly SymmetricDefinition Null = new(TpmAlgId.Null, 0, TpmAlgId.Null);

    public static readonly SymmetricDefinition Aes128Cfb = new(TpmAlgId.Aes, 128, TpmAlgId.Cfb);
}

/// <summary>
/// A signing/encryption/KDF scheme: TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KEYEDHASH_SCHEME or TPMT_KDF_SCHEME.
/// <see cref="HashAlg"/> is Null for schemes without a hash (RSAES, NULL); <see cref="Count"/> is ECDAA's counter;
/// <see cref="Kdf"/> is XOR's KDF.
/// </summary>
public sealed record Scheme(TpmAlgId Algorithm, TpmAlgId HashAlg, ushort Count = 0, TpmAlgId Kdf = TpmAlgId.Null)
{
    public static readonly Scheme Null = new(TpmAlgId.Null, TpmAlgId.Null);
}

/// <summary>TPMU_PUBLIC_PARMS: one of the derived records below.</summary>
public abstract record PublicParameters;

/// <summary>TPMS_RSA_PARMS. An exponent of 0 means the default 65537 (Part 2 §12.2.3.5).</summary>
public sealed record RsaParameters(SymmetricDefinition Symmetric, Scheme Scheme, ushort KeyBits, uint Exponent) : PublicParameters
{
    public uint EffectiveExponent => Exponent == 0 ? 65537u : Exponent;
}

/// <summary>TPMS_ECC_PARMS.</summary>
public sealed record EccParameters(SymmetricDefinition Symmetric, Scheme Scheme, TpmEccCurve Curve, Scheme Kdf) : PublicParameters;

/// <summary>TPMS_KEYEDHASH_PARMS.</summary>
public sealed record KeyedHashParameters(Scheme Scheme) : PublicParameters;

/// <summary>TPMS_SYMCIPHER_PARMS.</summary>
public sealed record SymCipherParameters(SymmetricDefinition Symmetric) : PublicParameters;
