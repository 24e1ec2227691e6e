using System.Security.Cryptography;
using System.Text;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Reads the certificates out of one file of the root folder: PEM (any number of CERTIFICATE blocks, with or
/// without the text dump OpenSSL puts before them) or a single DER certificate. Blocks with other labels (private
/// keys above all) are skipped unread and reported, so a key dropped into the folder by mistake is never loaded.
/// </summary>
internal static class CertificateFileReader
{
    /// <summary>Extensions looked at; anything else in the folder (README, LICENSE) is not a certificate file.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".pem", ".crt", ".cer", ".der", ".cert" };

    private const int MaxFileBytes = 1024 * 1024;

    public sealed record FileContents(IReadOnlyList<byte[]> Certificates, IReadOnlyList<string> Skipped);

    public static FileContents Read(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new CertificateDecodeException($"file is {length} bytes; certificate files larger than {MaxFileBytes} bytes are not read");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
        {
            throw new CertificateDecodeException("file is empty");
        }

        if (bytes[0] == 0x30)
        {
            return new FileContents([bytes], []);
        }

        return ReadPem(Encoding.ASCII.GetString(bytes));
    }

    private static FileContents ReadPem(string text)
    {
        var certificates = new List<byte[]>();
        var skipped = new List<string>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label is "CERTIFICATE" or "X509 CERTIFICATE")
            {
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written))
                {
                    throw new CertificateDecodeException($"PEM block {certificates.Count + 1} is not valid base64");
                }

                certificates.Add(der[..written]);
            }
            else
            {
                // Never decode anything but certificates: a private key in the trust folder stays unread.
                skipped.Add($"PEM block labelled '{label}' skipped (only CERTIFICATE blocks are read)");
            }

            rest = rest[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            throw new CertificateDecodeException(skipped.Count > 0
                ? $"no CERTIFICATE block ({string.Join("; ", skipped)})"
                : "neither a DER certificate nor PEM with a CERTIFICATE block");
        }

        return new FileContents(certificates, skipped);
    }
}
