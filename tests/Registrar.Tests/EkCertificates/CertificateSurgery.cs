using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// Rebuilds a certificate with an edited TBSCertificate and signs it again with the issuer's key: how the tests
/// reproduce TPM makers' real-world encodings (negative serials, non-minimal DER) that CertificateRequest never makes.
/// </summary>
internal static class CertificateSurgery
{
    public static byte[] Resign(byte[] certificate, Func<byte[], byte[]> editTbs, AsymmetricAlgorithm issuerKey, HashAlgorithmName hash)
    {
        var outer = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence();
        var tbs = editTbs(outer.ReadEncodedValue().ToArray());
        var algorithm = outer.ReadEncodedValue().ToArray();
        var signature = issuerKey switch
        {
            RSA rsa => rsa.SignData(tbs, hash, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => ecdsa.SignData(tbs, hash, DSASignatureFormat.Rfc3279DerSequence),
            _ => throw new ArgumentException("unsupported key", nameof(issuerKey)),
        };

        var bitString = new AsnWriter(AsnEncodingRules.DER);
        bitString.WriteBitString(signature);
        return Tlv(0x30, [.. tbs, .. algorithm, .. bitString.Encode()], minimal: true);
    }

    /// <summary>Replaces the serialNumber INTEGER's content octets (e.g. <c>0x80 …</c>: a negative serial).</summary>
    public static byte[] WithSerial(byte[] tbs, byte[] serialContent)
    {
        var sequence = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var version = sequence.ReadEncodedValue().ToArray();
        _ = sequence.ReadEncodedValue();
        var rest = new List<byte>();
        while (sequence.HasData)
        {
            rest.AddRange(sequence.ReadEncodedValue().ToArray());
        }

        return Tlv(0x30, [.. version, .. Tlv(0x02, serialContent, minimal: true), .. rest], minimal: true);
    }

    /// <summary>The TBSCertificate's own length written in a longer form than DER allows (BER-valid, DER-invalid).</summary>
    public static byte[] WithNonMinimalLength(byte[] tbs)
    {
        var header = tbs.Length - ContentLength(tbs);
        return Tlv(0x30, tbs[header..], minimal: false);
    }

    private static int ContentLength(byte[] tlv)
    {
        _ = AsnDecoder.ReadEncodedValue(tlv, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out _);
        return tlv.Length - contentOffset == contentLength ? contentLength : throw new ArgumentException("trailing bytes", nameof(tlv));
    }

    private static byte[] Tlv(byte tag, byte[] content, bool minimal)
    {
        var length = content.Length;
        byte[] lengthBytes = minimal switch
        {
            true when length < 0x80 => [(byte)length],
            true when length < 0x100 => [0x81, (byte)length],
            true when length < 0x10000 => [0x82, (byte)(length >> 8), (byte)length],
            true => [0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length],
            // Four length octets with leading zeros: what some makers' encoders emitted.
            false => [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
        };
        return [tag, .. lengthBytes, .. content];
    }
}
