using System.Security.Cryptography;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Objects;

/// <summary>Mapping between TPM_ECC_CURVE and the curves the platform crypto supports.</summary>
public static class EccCurves
{
    public static int FieldBits(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP192 => 192,
        TpmEccCurve.NistP224 => 224,
        TpmEccCurve.NistP256 or TpmEccCurve.BnP256 or TpmEccCurve.Sm2P256 or TpmEccCurve.BrainpoolP256R1 => 256,
        TpmEccCurve.NistP384 or TpmEccCurve.BrainpoolP384R1 => 384,
        TpmEccCurve.NistP521 => 521,
        TpmEccCurve.BrainpoolP512R1 => 512,
        TpmEccCurve.BnP638 => 638,
        _ => 0,
    };

    public static int CoordinateBytes(TpmEccCurve curve) => (FieldBits(curve) + 7) / 8;

    public static bool IsSupported(TpmEccCurve curve) => curve is TpmEccCurve.NistP256 or TpmEccCurve.NistP384 or TpmEccCurve.NistP521
        or TpmEccCurve.NistP224 or TpmEccCurve.BrainpoolP256R1 or TpmEccCurve.BrainpoolP384R1 or TpmEccCurve.BrainpoolP512R1;

    public static ECCurve ToDotNet(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP256 => ECCurve.NamedCurves.nistP256,
        TpmEccCurve.NistP384 => ECCurve.NamedCurves.nistP384,
        TpmEccCurve.NistP521 => ECCurve.NamedCurves.nistP521,
        TpmEccCurve.NistP224 => ECCurve.CreateFromValue("1.3.132.0.33"),
        TpmEccCurve.BrainpoolP256R1 => ECCurve.NamedCurves.brainpoolP256r1,
        TpmEccCurve.BrainpoolP384R1 => ECCurve.NamedCurves.brainpoolP384r1,
        TpmEccCurve.BrainpoolP512R1 => ECCurve.NamedCurves.brainpoolP512r1,
        _ => throw new NotSupportedException($"ECC curve {curve.Name()} is not supported"),
    };

    /// <summary>TPM curve for a named-curve OID (SubjectPublicKeyInfo), or None.</summary>
    public static TpmEccCurve FromOid(string? oid) => oid switch
    {
        "1.2.840.10045.3.1.7" => TpmEccCurve.NistP256,
        "1.3.132.0.34" => TpmEccCurve.NistP384,
        "1.3.132.0.35" => TpmEccCurve.NistP521,
        "1.3.132.0.33" => TpmEccCurve.NistP224,
        "1.2.840.10045.3.1.1" => TpmEccCurve.NistP192,
        "1.3.36.3.3.2.8.1.1.7" => TpmEccCurve.BrainpoolP256R1,
        "1.3.36.3.3.2.8.1.1.11" => TpmEccCurve.BrainpoolP384R1,
        "1.3.36.3.3.2.8.1.1.13" => TpmEccCurve.BrainpoolP512R1,
        _ => TpmEccCurve.None,
    };

    /// <summary>Left-pads a big-endian coordinate with zeros (TPMs may drop leading zero bytes).</summary>
    public static byte[] LeftPad(ReadOnlySpan<byte> value, int size)
    {
        while (value.Length > size && value[0] == 0)
        {
            value = value[1..];
        }

        if (value.Length > size)
        {
            throw new CryptographicException($"coordinate of {value.Length} bytes is larger than the curve's {size}");
        }

        var output = new byte[size];
        value.CopyTo(output.AsSpan(size - value.Length));
        return output;
    }
}
