using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Signatures;
using Attest.Tpm.Wire;

namespace Attest.Cli.Common;

/// <summary>Reads the files operators hand to the CLI, accepting the forms tpm2-tools and OpenSSL write.</summary>
internal static class InputFiles
{
    // Evidence files are small; refuse anything absurd before reading it into memory.
    private const long MaxFileBytes = 16 * 1024 * 1024;

    public static byte[] ReadBytes(FileInfo file, string what)
    {
        if (!file.Exists)
        {
            throw new CliUsageException($"{what} file '{file.FullName}' does not exist");
        }

        if (file.Length > MaxFileBytes)
        {
            throw new CliUsageException($"{what} file '{file.FullName}' is larger than {MaxFileBytes} bytes");
        }

        return File.ReadAllBytes(file.FullName);
    }

    /// <summary>
    /// An attestation key from TPM2B_PUBLIC, bare TPMT_PUBLIC, or PEM/DER SubjectPublicKeyInfo (detected by content).
    /// </summary>
    public static VerificationKey ReadVerificationKey(FileInfo file)
    {
        var bytes = ReadBytes(file, "key");
        var text = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 64));
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                var pem = PemEncoding.Find(Encoding.ASCII.GetString(bytes));
                var der = Convert.FromBase64String(Encoding.ASCII.GetString(bytes)[pem.Base64Data]);
                return VerificationKey.FromSubjectPublicKeyInfo(der);
            }

            if (bytes.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(bytes) == bytes.Length - 2)
            {
                return VerificationKey.FromTpmPublic(TpmPublic.ParseSized(bytes));
            }

            if (bytes.Length > 0 && bytes[0] == 0x30)
            {
                return VerificationKey.FromSubjectPublicKeyInfo(bytes);
            }

            return VerificationKey.FromTpmPublic(TpmPublic.Parse(bytes));
        }
        catch (TpmFormatException ex)
        {
            throw InFile(ex, file);
        }
        catch (CryptographicException ex)
        {
            throw new CliUsageException($"key file '{file.Name}' is not a usable public key: {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            throw new CliUsageException($"key file '{file.Name}' is not a usable signing key: {ex.Message}");
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"key file '{file.Name}' has invalid PEM: {ex.Message}");
        }
    }

    /// <summary>TPMS_ATTEST bytes as tpm2_quote -m writes them; a TPM2B_ATTEST wrapper is removed.</summary>
    public static byte[] ReadAttest(FileInfo file)
    {
        var bytes = ReadBytes(file, "quote");
        if (bytes.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(bytes) == bytes.Length - 2
            && BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)) == Attest.Tpm.Attestation.TpmsAttest.TpmGeneratedValue)
        {
            return bytes[2..];
        }

        return bytes;
    }

    public static PcrValues ReadPcrValues(FileInfo file)
    {
        try
        {
            return PcrValues.ParseJson(ReadBytes(file, "PCR values"));
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"PCR values file '{file.Name}': {ex.Message}");
        }
    }

    public static byte[] ParseHex(string text, string what)
    {
        var value = text.Trim();
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }

        try
        {
            return Convert.FromHexString(value);
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{what} '{text}' is not hexadecimal");
        }
    }

    /// <summary>Wraps a malformed-structure error so the message names the file too.</summary>
    public static TpmFormatException InFile(TpmFormatException ex, FileInfo file) =>
        new($"{file.Name}: {ex.Field}", ex.Offset, ex.Problem);
}
