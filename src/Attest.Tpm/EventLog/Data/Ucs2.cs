using System.Text;
using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>UEFI strings are UCS-2, little-endian, usually NUL-terminated (UEFI 2.10 §2.3.1 CHAR16).</summary>
internal static class Ucs2
{
    /// <summary>Reads a NUL-terminated CHAR16 string (the NUL is consumed).</summary>
    public static string ReadTerminated(ref TpmReader reader, string field)
    {
        var rest = reader.Rest;
        for (var i = 0; i + 1 < rest.Length; i += 2)
        {
            if (rest[i] == 0 && rest[i + 1] == 0)
            {
                var text = Encoding.Unicode.GetString(rest[..i]);
                reader.Skip(i + 2, field);
                return text;
            }
        }

        throw reader.Fail(field, "CHAR16 string has no terminating NUL");
    }

    /// <summary>Decodes a fixed-size CHAR16 buffer, stopping at the first NUL.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var length = bytes.Length & ~1;
        for (var i = 0; i + 1 < length; i += 2)
        {
            if (bytes[i] == 0 && bytes[i + 1] == 0)
            {
                length = i;
                break;
            }
        }

        return Encoding.Unicode.GetString(bytes[..length]);
    }

    /// <summary>True when the bytes look like UTF-16LE text (even length, every high byte zero, printable).</summary>
    public static bool LooksLikeUtf16(ReadOnlySpan<byte> bytes)
    {
        // Old systemd-boot logged one stray NUL byte after the UTF-16 command line (odd length).
        if (bytes.Length % 2 == 1 && bytes[^1] == 0)
        {
            bytes = bytes[..^1];
        }

        if (bytes.Length < 4 || bytes.Length % 2 != 0)
        {
            return false;
        }

        var printable = 0;
        for (var i = 0; i < bytes.Length; i += 2)
        {
            if (bytes[i + 1] != 0)
            {
                return false;
            }

            if (bytes[i] >= 0x20 || bytes[i] is 0x09 or 0x0A or 0x0D)
            {
                printable++;
            }
            else if (bytes[i] != 0)
            {
                return false;
            }
        }

        return printable > 0;
    }

    /// <summary>True when the bytes are printable ASCII, optionally NUL-terminated.</summary>
    public static bool LooksLikeAscii(ReadOnlySpan<byte> bytes)
    {
        var body = TrimNul(bytes);
        if (body.Length == 0)
        {
            return false;
        }

        foreach (var b in body)
        {
            if (b is < 0x20 and not (0x09 or 0x0A or 0x0D) || b >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    public static ReadOnlySpan<byte> TrimNul(ReadOnlySpan<byte> bytes) => bytes.TrimEnd((byte)0);

    public static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(TrimNul(bytes));

    public static string Utf16(ReadOnlySpan<byte> bytes) => Encoding.Unicode.GetString(bytes[..(bytes.Length & ~1)]).TrimEnd('\0');
}
