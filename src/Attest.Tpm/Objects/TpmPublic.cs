using System.Security.Cryptography;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Objects;

/// <summary>
/// TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4). When parsed, <see cref="Raw"/> holds the exact bytes received: the
/// object's Name is computed over those, never over a re-serialisation.
/// </summary>
public sealed class TpmPublic
{
    public required TpmAlgId Type { get; init; }

    public required TpmAlgId NameAlg { get; init; }

    public required ObjectAttributes Attributes { get; init; }

    public ReadOnlyMemory<byte> AuthPolicy { get; init; }

    public required PublicParameters Parameters { get; init; }

    /// <summary>RSA modulus, or keyed-hash/symcipher unique digest.</summary>
    public ReadOnlyMemory<byte> Unique { get; init; }

    /// <summary>ECC public point X (for ECC objects).</summary>
    public ReadOnlyMemory<byte> EccX { get; init; }

    /// <summary>ECC public point Y (for ECC objects).</summary>
    public ReadOnlyMemory<byte> EccY { get; init; }

    private byte[]? _raw;
    private byte[]? _name;

    /// <summary>The TPMT_PUBLIC bytes (as received, or as marshaled for a template built in code).</summary>
    public ReadOnlyMemory<byte> Raw => _raw ??= TpmPublicCodec.Marshal(this);

    /// <summary>Name = nameAlg || H_nameAlg(TPMT_PUBLIC) (Part 1 §16).</summary>
    public ReadOnlyMemory<byte> Name => _name ??= ComputeName(NameAlg, Raw.Span);

    public RsaParameters? Rsa => Parameters as RsaParameters;

    public EccParameters? Ecc => Parameters as EccParameters;

    public bool Has(ObjectAttributes attributes) => (Attributes & attributes) == attributes;

    /// <summary>Size of the public key in bits (RSA modulus, or the curve's field).</summary>
    public int KeyBits => Parameters switch
    {
        RsaParameters => Unique.Length * 8,
        EccParameters ecc => EccCurves.FieldBits(ecc.Curve),
        _ => 0,
    };

    internal void SetRaw(byte[] raw) => _raw = raw;

    public static byte[] ComputeName(TpmAlgId nameAlg, ReadOnlySpan<byte> tpmtPublic)
    {
        var size = TpmHash.DigestSize(nameAlg);
        var name = new byte[2 + size];
        name[0] = (byte)((ushort)nameAlg >> 8);
        name[1] = (byte)nameAlg;
        TpmHash.Compute(nameAlg, tpmtPublic, name.AsSpan(2));
        return name;
    }

    /// <summary>Parses TPMT_PUBLIC; the whole span must be consumed.</summary>
    public static TpmPublic Parse(ReadOnlySpan<byte> tpmtPublic, int baseOffset = 0) => TpmPublicCodec.Parse(tpmtPublic, baseOffset);

    /// <summary>Parses TPM2B_PUBLIC (16-bit size, then TPMT_PUBLIC of exactly that size).</summary>
    public static TpmPublic ParseSized(ReadOnlySpan<byte> tpm2bPublic) => TpmPublicCodec.ParseSized(tpm2bPublic);

    /// <summary>TPM2B_PUBLIC bytes for this object.</summary>
    public byte[] MarshalSized()
    {
        var raw = Raw.Span;
        var output = new byte[raw.Length + 2];
        output[0] = (byte)(raw.Length >> 8);
        output[1] = (byte)raw.Length;
        raw.CopyTo(output.AsSpan(2));
        return output;
    }

    /// <summary>The RSA public key; throws <see cref="NotSupportedException"/> for a non-RSA object.</summary>
    public RSA CreateRsa()
    {
        var rsa = Rsa ?? throw new NotSupportedException($"object type {Type.Name()} is not RSA");
        return System.Security.Cryptography.RSA.Create(new RSAParameters
        {
            Modulus = Unique.ToArray(),
            Exponent = ExponentBytes(rsa.EffectiveExponent),
        });
    }

    /// <summary>The ECC public key for ECDSA; throws <see cref="NotSupportedException"/> for unsupported curves.</summary>
    public ECDsa CreateECDsa() => ECDsa.Create(EccParametersForDotNet());

    /// <summary>The ECC public key for ECDH (MakeCredential to an ECC EK).</summary>
    public ECDiffieHellman CreateECDiffieHellman() => ECDiffieHellman.Create(EccParametersForDotNet());

    /// <summary>DER SubjectPublicKeyInfo of the key (for PEM export and comparison with certificates).</summary>
    public byte[] ExportSubjectPublicKeyInfo()
    {
        if (Type == TpmAlgId.Rsa)
        {
            using var rsa = CreateRsa();
            return rsa.ExportSubjectPublicKeyInfo();
        }

        using var ecdsa = CreateECDsa();
        return ecdsa.ExportSubjectPublicKeyInfo();
    }

    private ECParameters EccParametersForDotNet()
    {
        var ecc = Ecc ?? throw new NotSupportedException($"object type {Type.Name()} is not ECC");
        var curve = EccCurves.ToDotNet(ecc.Curve);
        var size = EccCurves.CoordinateBytes(ecc.Curve);
        return new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = EccCurves.LeftPad(EccX.Span, size), Y = EccCurves.LeftPad(EccY.Span, size) },
        };
    }

    private static byte[] ExponentBytes(uint exponent)
    {
        Span<byte> buffer = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer, exponent);
        var start = 0;
        while (start < 3 && buffer[start] == 0)
        {
            start++;
        }

        return buffer[start..].ToArray();
    }
}
