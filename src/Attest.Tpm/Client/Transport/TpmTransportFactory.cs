using System.Globalization;

namespace Attest.Tpm.Client.Transport;

/// <summary>
/// Turns a <c>--tpm</c> argument into a transport. Accepted forms:
/// <list type="bullet">
/// <item><c>swtpm:HOST:PORT</c> (IPv6 in brackets: <c>swtpm:[::1]:2321</c>), <c>swtpm:HOST</c> (port 2321), <c>swtpm</c>;</item>
/// <item>the tpm2-tools TCTI form <c>swtpm:host=HOST,port=PORT</c> (also <c>mssim:</c>), so one string serves both;</item>
/// <item>a device path (<c>/dev/tpmrm0</c>), optionally as <c>device:/dev/tpmrm0</c>.</item>
/// </list>
/// </summary>
public static class TpmTransportFactory
{
    public const int DefaultSwtpmPort = 2321;

    public static ITpmTransport Create(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (kind, host, port, path) = Parse(spec);
        return kind == "device" ? new DeviceTransport(path!) : new SwtpmSocketTransport(host!, port);
    }

    /// <summary>Parses without connecting; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static (string Kind, string? Host, int Port, string? Path) Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim();
        if (spec.StartsWith('/'))
        {
            return ("device", null, 0, spec);
        }

        if (spec.StartsWith("device:", StringComparison.Ordinal) && spec.Length > 7)
        {
            return ("device", null, 0, spec[7..]);
        }

        string rest;
        if (spec is "swtpm" or "mssim")
        {
            rest = string.Empty;
        }
        else if (spec.StartsWith("swtpm:", StringComparison.Ordinal) || spec.StartsWith("mssim:", StringComparison.Ordinal))
        {
            rest = spec[6..];
        }
        else
        {
            throw new FormatException($"unknown TPM '{spec}': expected swtpm:HOST:PORT or a device path such as /dev/tpmrm0");
        }

        var host = "127.0.0.1";
        var port = DefaultSwtpmPort;
        if (rest.Contains('=', StringComparison.Ordinal))
        {
            foreach (var pair in rest.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                switch (kv[0].Trim())
                {
                    case "host":
                        host = kv.Length == 2 ? kv[1].Trim() : throw new FormatException($"'{spec}': host needs a value");
                        break;
                    case "port":
                        port = ParsePort(kv.Length == 2 ? kv[1] : string.Empty, spec);
                        break;
                    default:
                        throw new FormatException($"'{spec}': unknown option '{kv[0]}' (host, port)");
                }
            }
        }
        else if (rest.Length > 0)
        {
            string hostPart;
            string? portPart = null;
            if (rest.StartsWith('['))
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new FormatException($"'{spec}': unclosed '[' in IPv6 address");
                }

                hostPart = rest[1..close];
                var after = rest[(close + 1)..];
                if (after.Length > 0)
                {
                    portPart = after.StartsWith(':') ? after[1..] : throw new FormatException($"'{spec}': expected ':PORT' after ']'");
                }
            }
            else
            {
                var colon = rest.LastIndexOf(':');
                hostPart = colon < 0 ? rest : rest[..colon];
                portPart = colon < 0 ? null : rest[(colon + 1)..];
            }

            if (hostPart.Length > 0)
            {
                host = hostPart;
            }

            if (portPart is not null)
            {
                port = ParsePort(portPart, spec);
            }
        }

        if (host.Length == 0)
        {
            throw new FormatException($"'{spec}': empty host");
        }

        return ("swtpm", host, port, null);
    }

    private static int ParsePort(string text, string spec) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"'{spec}': port '{text}' is not a number in 1..65535");
}
