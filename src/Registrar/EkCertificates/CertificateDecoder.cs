using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Attest.Registrar.EkCertificates;

/// <summary>A certificate's bytes could not be read as an X.509 certificate (the message says why).</summary>
public sealed class CertificateDecodeException : Exception
{
    public CertificateDecodeException(string message)
        : base(message)
    {
    }

    public CertificateDecodeException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CertificateDecodeException()
    {
    }
}

/// <summary>
/// Turns one DER certificate into a <see cref="CaCertificate"/>. BouncyCastle must read it (it is lenient about
/// the encodings TPM makers shipped: negative serials, odd string types, RSASSA-PSS); .NET's loader is tried too,
/// and when it refuses the certificate is still usable by the fallback chain builder. Only certificates are ever
/// decoded here: no PKCS#12, no private keys.
/// </summary>
internal static class CertificateDecoder
{
    public static CaCertificate Decode(byte[] der, CertificateSource source, string origin)
    {
        ArgumentNullException.ThrowIfNull(der);
        if (der.Length == 0)
        {
            throw new CertificateDecodeException("empty certificate");
        }

        if (der[0] != 0x30)
        {
            throw new CertificateDecodeException($"not a DER certificate (first byte 0x{der[0]:X2}, expected a SEQUENCE)");
        }

        BcCertificate bc;
        try
        {
            // Asn1Object.FromByteArray refuses trailing bytes: a certificate followed by anything else is malformed.
            bc = new BcCertificate(X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der)));
            _ = bc.GetPublicKey();
            _ = RawTbs(der);
        }
#pragma warning disable CA1031 // hostile bytes: any parser failure is "malformed", reported with the parser's reason
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            throw new CertificateDecodeException($"not a readable X.509 certificate: {ex.Message}", ex);
        }

        return new CaCertificate(der, bc, TryLoadDotNet(der), source, origin);
    }

    /// <summary>The TBSCertificate exactly as received: signatures are checked over these bytes, never a re-encoding.</summary>
    internal static ReadOnlyMemory<byte> RawTbs(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.BER);
        var certificate = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        return certificate.ReadEncodedValue();
    }

    private static X509Certificate2? TryLoadDotNet(byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
