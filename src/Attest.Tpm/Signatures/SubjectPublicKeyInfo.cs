using System.Formats.Asn1;
using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;

namespace Attest.Tpm.Signatures;

/// <summary>
/// The key inside a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), read with the platform's ASN.1 reader so that
/// TPM makers' unusual encodings (RSAES-OAEP or RSASSA-PSS algorithm identifiers on EK keys) still yield the key.
/// </summary>
public sealed record SubjectPublicKeyInfo(string AlgorithmOid, byte[]? RsaModulus, byte[]? RsaExponent, string? CurveOid, byte[]? EccX, byte[]? EccY)
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string RsaesOaep = "1.2.840.113549.1.1.7";
    private const string RsassaPss = "1.2.840.113549.1.1.10";
    private const string EcPublicKey = "1.2.840.10045.2.1";

    public TpmEccCurve Curve => EccCurves.FromOid(CurveOid);

    public static SubjectPublicKeyInfo Parse(ReadOnlySpan<byte> der)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var spki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithm = spki.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            string? curveOid = null;
            if (oid == EcPublicKey)
            {
                curveOid = algorithm.ReadObjectIdentifier();
            }

            var key = spki.ReadBitString(out var unused);
            if (unused != 0)
            {
                throw new CryptographicException("subjectPublicKey has unused bits");
            }

            switch (oid)
            {
                case RsaEncryption:
                case RsaesOaep:
                case RsassaPss:
                    var rsaKey = new AsnReader(key, AsnEncodingRules.DER).ReadSequence();
                    var modulus = rsaKey.ReadIntegerBytes().ToArray();
                    var exponent = rsaKey.ReadIntegerBytes().ToArray();
                    return new SubjectPublicKeyInfo(oid, TrimSign(modulus), TrimSign(exponent), null, null, null);
                case EcPublicKey:
                    if (key.Length < 3 || key[0] != 0x04 || key.Length % 2 != 1)
                    {
                        throw new CryptographicException("only uncompressed EC points are supported");
                    }

                    var half = (key.Length - 1) / 2;
                    return new SubjectPublicKeyInfo(oid, null, null, curveOid, key.AsSpan(1, half).ToArray(), key.AsSpan(1 + half).ToArray());
                default:
                    throw new CryptographicException($"unsupported public key algorithm {oid}");
            }
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException($"malformed SubjectPublicKeyInfo: {ex.Message}", ex);
        }
    }

    /// <summary>True when this key is the same key as the TPM object's public area.</summary>
    public bool Matches(TpmPublic tpmPublic)
    {
        ArgumentNullException.ThrowIfNull(tpmPublic);
        switch (tpmPublic.Parameters)
        {
            case RsaParameters rsa when RsaModulus is not null:
                var exponent = new System.Numerics.BigInteger(RsaExponent, isUnsigned: true, isBigEndian: true);
                return TrimSign(tpmPublic.Unique.ToArray()).AsSpan().SequenceEqual(RsaModulus) && exponent == rsa.EffectiveExponent;
            case EccParameters ecc when EccX is not null:
                var size = EccCurves.CoordinateBytes(ecc.Curve);
                return ecc.Curve == Curve && size > 0
                    && EccCurves.LeftPad(tpmPublic.EccX.Span, size).AsSpan().SequenceEqual(EccCurves.LeftPad(EccX, size))
                    && EccCurves.LeftPad(tpmPublic.EccY.Span, size).AsSpan().SequenceEqual(EccCurves.LeftPad(EccY!, size));
            default:
                return false;
        }
    }

    private static byte[] TrimSign(byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }
}
