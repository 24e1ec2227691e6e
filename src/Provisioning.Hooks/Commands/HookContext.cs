using System.CommandLine;
using System.Net.Http.Headers;
using Attest.Hooks.Node;
using Attest.Hooks.Services;
using Attest.Tpm.Client;

namespace Attest.Hooks.Commands;

/// <summary>What a command needs, built from its options: service clients (with TLS trust and retries) and the TPM.</summary>
internal sealed class HookContext(ParseResult parse)
{
    /// <summary>Tests replace the network: every service client goes through this handler when set.</summary>
    internal static Func<string, HttpMessageHandler>? HandlerOverride { get; set; }

    public ParseResult Parse { get; } = parse;

    public TextWriter Out => Parse.InvocationConfiguration.Output;

    public bool Json => string.Equals(Parse.GetValue(HookOptions.Format), "json", StringComparison.OrdinalIgnoreCase);

    public RetryPolicy Retry => new(
        Math.Clamp(Parse.GetValue(HookOptions.Retries), 1, 20),
        TimeSpan.FromSeconds(Math.Clamp(Parse.GetValue(HookOptions.Timeout), 1, 600)),
        TimeSpan.FromMilliseconds(500));

    public ServiceClient Registrar() => Service("registrar", Parse.GetValue(HookOptions.Registrar), "--registrar or ATTEST_REGISTRAR_URL");

    public ServiceClient Verifier() => Service("verifier", Parse.GetValue(HookOptions.Verifier), "--verifier or ATTEST_VERIFIER_URL");

    public async Task<TpmNode> OpenTpmAsync(CancellationToken ct)
    {
        var spec = Parse.GetValue(HookOptions.Tpm)!;
        try
        {
            var client = TpmClient.Open(spec);
            await client.StartupAsync(cancellationToken: ct);
            return new TpmNode(client);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new HookUsageException($"--tpm '{spec}': {ex.Message}");
        }
    }

    public string NodeId()
    {
        var nodeId = Parse.GetValue(HookOptions.NodeId);
        if (!string.IsNullOrWhiteSpace(nodeId))
        {
            return nodeId.Trim();
        }

        // SMBIOS system UUID: what identifies the machine when the provisioning system gives no id.
        const string dmi = "/sys/class/dmi/id/product_uuid";
        return File.Exists(dmi) ? File.ReadAllText(dmi).Trim().ToLowerInvariant()
            : throw new HookUsageException("no --node-id given and no SMBIOS system UUID readable at " + dmi);
    }

    public string StateDirectory => Parse.GetValue(HookOptions.StateDir)!;

    private ServiceClient Service(string name, string? url, string hint)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress))
        {
            throw new HookUsageException($"the {name} URL is missing or invalid: give {hint}");
        }

        var handler = HandlerOverride?.Invoke(name) ?? CreateHandler();
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (Parse.GetValue(HookOptions.ApiKey) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return new ServiceClient(http, name, Retry);
    }

    private HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (Parse.GetValue(HookOptions.CaCertificate) is { } file)
        {
            if (!file.Exists)
            {
                throw new HookUsageException($"--ca-cert '{file.FullName}' does not exist");
            }

            handler.SslOptions.RemoteCertificateValidationCallback = Contracts.Clients.ServiceCertificateTrust.With(Contracts.Clients.ServiceCertificateTrust.Load(file.FullName));
        }

        return handler;
    }
}

/// <summary>Unusable options or configuration: exit code 2.</summary>
internal sealed class HookUsageException(string message) : Exception(message);
