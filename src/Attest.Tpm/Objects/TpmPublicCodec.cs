using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Objects;

/// <summary>Wire form of TPMT_PUBLIC and its parts (TPM 2.0 Part 2 §12.2).</summary>
internal static class TpmPublicCodec
{
    // Part 2 §10.3/§11.2: buffer bounds from the reference implementation's maximums.
    private const int MaxDigest = 64;
    private const int MaxRsaKeyBytes = 512;
    private const int MaxEccKeyBytes = 128;

    public static TpmPublic ParseSized(ReadOnlySpan<byte> tpm2bPublic)
    {
        var reader = new TpmReader(tpm2bPublic);
        var body = reader.ReadSized("TPM2B_PUBLIC", 2048);
        reader.ExpectEnd("TPM2B_PUBLIC");
        if (body.IsEmpty)
        {
            throw new TpmFormatException("TPM2B_PUBLIC", 0, "empty public area");
        }

        return Parse(body, 2);
    }

    public static TpmPublic Parse(ReadOnlySpan<byte> bytes, int baseOffset)
    {
        var reader = new TpmReader(bytes, baseOffset);
        var typeOffset = reader.Offset;
        var type = (TpmAlgId)reader.ReadUInt16("TPMT_PUBLIC.type");
        var nameAlgOffset = reader.Offset;
        var nameAlg = (TpmAlgId)reader.ReadUInt16("TPMT_PUBLIC.nameAlg");
        if (!TpmHash.CanCompute(nameAlg))
        {
            throw new TpmFormatException("TPMT_PUBLIC.nameAlg", nameAlgOffset, $"name algorithm {nameAlg.Name()} is not a supported hash");
        }

        var attributes = (ObjectAttributes)reader.ReadUInt32("TPMT_PUBLIC.objectAttributes");
        var authPolicy = reader.ReadSized("TPMT_PUBLIC.authPolicy", MaxDigest).ToArray();
        PublicParameters parameters = type switch
        {
            TpmAlgId.Rsa => ReadRsaParameters(ref reader),
            TpmAlgId.Ecc => ReadEccParameters(ref reader),
            TpmAlgId.KeyedHash => new KeyedHashParameters(ReadKeyedHashScheme(ref reader)),
            TpmAlgId.SymCipher => new SymCipherParameters(ReadSymmetric(ref reader, "TPMS_SYMCIPHER_PARMS.sym")),
            _ => throw new TpmFormatException("TPMT_PUBLIC.type", typeOffset, $"unknown object type {type.Name()}"),
        };

        byte[] unique = [];
        byte[] eccX = [];
        byte[] eccY = [];
        switch (type)
        {
            case TpmAlgId.Rsa:
                unique = reader.ReadSized("TPMT_PUBLIC.unique.rsa", MaxRsaKeyBytes).ToArray();
                break;
            case TpmAlgId.Ecc:
                eccX = reader.ReadSized("TPMT_PUBLIC.unique.ecc.x", MaxEccKeyBytes).ToArray();
                eccY = reader.ReadSized("TPMT_PUBLIC.unique.ecc.y", MaxEccKeyBytes).ToArray();
                break;
            default:
                unique = reader.ReadSized("TPMT_PUBLIC.unique", MaxDigest).ToArray();
                break;
        }

        reader.ExpectEnd("TPMT_PUBLIC");
        var result = new TpmPublic
        {
            Type = type,
            NameAlg = nameAlg,
            Attributes = attributes,
            AuthPolicy = authPolicy,
            Parameters = parameters,
            Unique = unique,
            EccX = eccX,
            EccY = eccY,
        };
        result.SetRaw(bytes.ToArray());
        return result;
    }

    public static byte[] Marshal(TpmPublic value)
    {
        var writer = new TpmWriter();
        writer.WriteUInt16((ushort)value.Type)
            .WriteUInt16((ushort)value.NameAlg)
            .WriteUInt32((uint)value.Attributes)
            .WriteSized(value.AuthPolicy.Span);
        switch (value.Parameters)
        {
            case RsaParameters rsa:
                WriteSymmetric(writer, rsa.Symmetric);
                WriteScheme(writer, rsa.Scheme);
                writer.WriteUInt16(rsa.KeyBits).WriteUInt32(rsa.Exponent);
                writer.WriteSized(value.Unique.Span);
                break;
            case EccParameters ecc:
                WriteSymmetric(writer, ecc.Symmetric);
                WriteScheme(writer, ecc.Scheme);
                writer.WriteUInt16((ushort)ecc.Curve);
                WriteScheme(writer, ecc.Kdf);
                writer.WriteSized(value.EccX.Span).WriteSized(value.EccY.Span);
                break;
            case KeyedHashParameters keyed:
                WriteScheme(writer, keyed.Scheme);
                writer.WriteSized(value.Unique.Span);
                break;
            case SymCipherParameters sym:
                WriteSymmetric(writer, sym.Symmetric);
                writer.WriteSized(value.Unique.Span);
                break;
            default:
                throw new NotSupportedException("unknown public parameters");
        }

        return writer.ToArray();
    }

    private static RsaParameters ReadRsaParameters(ref TpmReader reader)
    {
        var symmetric = ReadSymmetric(ref reader, "TPMS_RSA_PARMS.symmetric");
        var scheme = ReadScheme(ref reader, "TPMS_RSA_PARMS.scheme");
        var keyBitsOffset = reader.Offset;
        var keyBits = reader.ReadUInt16("TPMS_RSA_PARMS.keyBits");
        if (keyBits == 0 || keyBits > MaxRsaKeyBytes * 8)
        {
            throw new TpmFormatException("TPMS_RSA_PARMS.keyBits", keyBitsOffset, $"RSA key size {keyBits} is out of range");
        }

        var exponent = reader.ReadUInt32("TPMS_RSA_PARMS.exponent");
        return new RsaParameters(symmetric, scheme, keyBits, exponent);
    }

    private static EccParameters ReadEccParameters(ref TpmReader reader)
    {
        var symmetric = ReadSymmetric(ref reader, "TPMS_ECC_PARMS.symmetric");
        var scheme = ReadScheme(ref reader, "TPMS_ECC_PARMS.scheme");
        var curve = (TpmEccCurve)reader.ReadUInt16("TPMS_ECC_PARMS.curveID");
        var kdf = ReadScheme(ref reader, "TPMS_ECC_PARMS.kdf");
        return new EccParameters(symmetric, scheme, curve, kdf);
    }

    /// <summary>TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless the algorithm is NULL.</summary>
    private static SymmetricDefinition ReadSymmetric(ref TpmReader reader, string field)
    {
        var algorithm = (TpmAlgId)reader.ReadUInt16(field + ".algorithm");
        if (algorithm == TpmAlgId.Null)
        {
            return SymmetricDefinition.Null;
        }

        var keyBits = reader.ReadUInt16(field + ".keyBits");
        var mode = (TpmAlgId)reader.ReadUInt16(field + ".mode");
        return new SymmetricDefinition(algorithm, keyBits, mode);
    }

    private static void WriteSymmetric(TpmWriter writer, SymmetricDefinition symmetric)
    {
        writer.WriteUInt16((ushort)symmetric.Algorithm);
        if (symmetric.Algorithm != TpmAlgId.Null)
        {
            writer.WriteUInt16(symmetric.KeyBits).WriteUInt16((ushort)symmetric.Mode);
        }
    }

    /// <summary>
    /// TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_KDF_SCHEME: the scheme, then its details. Details are a hash
    /// for every scheme except NULL and RSAES (empty) and ECDAA (hash + count) (Part 2 §11.2.3).
    /// </summary>
    internal static Scheme ReadScheme(ref TpmReader reader, string field)
    {
        var algorithm = (TpmAlgId)reader.ReadUInt16(field + ".scheme");
        switch (algorithm)
        {
            case TpmAlgId.Null:
                return Scheme.Null;
            case TpmAlgId.RsaEs:
                return new Scheme(algorithm, TpmAlgId.Null);
            case TpmAlgId.Ecdaa:
                var hash = (TpmAlgId)reader.ReadUInt16(field + ".details.hashAlg");
                var count = reader.ReadUInt16(field + ".details.count");
                return new Scheme(algorithm, hash, count);
            default:
                return new Scheme(algorithm, (TpmAlgId)reader.ReadUInt16(field + ".details.hashAlg"));
        }
    }

    private static void WriteScheme(TpmWriter writer, Scheme scheme)
    {
        writer.WriteUInt16((ushort)scheme.Algorithm);
        switch (scheme.Algorithm)
        {
            case TpmAlgId.Null:
            case TpmAlgId.RsaEs:
                break;
            case TpmAlgId.Ecdaa:
                writer.WriteUInt16((ushort)scheme.HashAlg).WriteUInt16(scheme.Count);
                break;
            case TpmAlgId.Xor:
                writer.WriteUInt16((ushort)scheme.HashAlg).WriteUInt16((ushort)scheme.Kdf);
                break;
            default:
                writer.WriteUInt16((ushort)scheme.HashAlg);
                break;
        }
    }

    /// <summary>TPMT_KEYEDHASH_SCHEME: HMAC carries a hash; XOR a hash and a KDF (Part 2 §11.1.23).</summary>
    private static Scheme ReadKeyedHashScheme(ref TpmReader reader)
    {
        var algorithm = (TpmAlgId)reader.ReadUInt16("TPMT_KEYEDHASH_SCHEME.scheme");
        return algorithm switch
        {
            TpmAlgId.Null => Scheme.Null,
            TpmAlgId.Xor => new Scheme(algorithm, (TpmAlgId)reader.ReadUInt16("TPMS_SCHEME_XOR.hashAlg"), Kdf: (TpmAlgId)reader.ReadUInt16("TPMS_SCHEME_XOR.kdf")),
            _ => new Scheme(algorithm, (TpmAlgId)reader.ReadUInt16("TPMT_KEYEDHASH_SCHEME.details.hashAlg")),
        };
    }
}
