using System.Net.Http.Headers;
using Attest.EndToEnd.Tests;
using Attest.ServiceDefaults.Security;

namespace Attest.Hooks.Tests.Stack;

/// <summary>
/// The registrar and verifier as real processes (the built service DLLs, configured through environment variables
/// as start.sh does) on free loopback ports over HTTP, each on SQLite in a temp folder; swtpm's local CA is the
/// registrar's TPM-maker root. Python (Ironic) and the attest-hook binary reach them like any client.
/// </summary>
public sealed class AttestServices : IAsyncLifetime
{
    public const string OperatorKey = "hooks-operator-key-0123456789abcdef0123456789ab";
    public const string AuditorKey = "hooks-auditor-key-0123456789abcdef0123456789abc";

    private readonly string _data = Directory.CreateTempSubdirectory("attest-hooks-services-").FullName;
    private ChildProcess? _registrar;
    private ChildProcess? _verifier;

    public string RegistrarUrl { get; private set; } = "";

    public string VerifierUrl { get; private set; } = "";

    public string OperatorKeyFile => Path.Combine(_data, "operator.key");

    /// <summary>The one firmware release in the verifier's catalog for these tests.</summary>
    public const string FirmwareTargetVersion = "2.0.0";

    public HttpClient Verifier(string? apiKey = OperatorKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(VerifierUrl + "/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(OperatorKeyFile, OperatorKey + "\n");
        var tpmCa = await TpmCaFolder.SwtpmLocalCaAsync();
        var registrarPort = FreePort.Next();
        RegistrarUrl = $"http://127.0.0.1:{registrarPort}";
        _registrar = await StartAsync("Registrar", "attest-registrar.dll", RegistrarUrl, new Dictionary<string, string>
        {
            ["Database__ConnectionString"] = $"Data Source={Path.Combine(_data, "registrar.db")}",
            ["Registrar__EkCertificates__RootDirectory"] = tpmCa,
        });
        // The firmware catalog the firmware-update flow checks against: the simulated platform's release 2.0.0.
        var catalog = Directory.CreateDirectory(Path.Combine(_data, "firmware")).FullName;
        var digest = Convert.ToHexStringLower(Attest.Tpm.Algorithms.TpmHash.Compute(Attest.Tpm.Algorithms.TpmAlgId.Sha256,
            System.Text.Encoding.ASCII.GetBytes(Attest.EndToEnd.Tests.SimulatedNode.FirmwareVolume(FirmwareTargetVersion))));
        await File.WriteAllTextAsync(Path.Combine(catalog, "simulated-platform.yaml"), $$"""
            kind: firmware-catalog
            name: simulated-platform
            releases:
              - component: system-firmware
                version: "{{FirmwareTargetVersion}}"
                crtmVersion: "{{FirmwareTargetVersion}}"
                digests: { sha256: [ "{{digest}}" ] }
            """);
        VerifierUrl = $"http://127.0.0.1:{FreePort.Next()}";
        _verifier = await StartAsync("Verifier", "attest-verifier.dll", VerifierUrl, new Dictionary<string, string>
        {
            ["Database__ConnectionString"] = $"Data Source={Path.Combine(_data, "verifier.db")}",
            ["Verifier__Registrar__Url"] = RegistrarUrl,
            ["Verifier__Registrar__ApiKey"] = AuditorKey,
            ["Verifier__Registrar__CacheDuration"] = "00:00:00",
            ["Verifier__Firmware__CatalogDirectory"] = catalog,
        });
    }

    private async Task<ChildProcess> StartAsync(string project, string dll, string url, Dictionary<string, string> settings)
    {
        var output = Repo.Output(project);
        settings["Urls"] = url;
        settings["Auth__BootstrapKeyFile"] = Path.Combine(_data, project + "-admin.key");
        settings["Auth__ApiKeys__0__Name"] = "conductor";
        settings["Auth__ApiKeys__0__Hash"] = ApiKeyStore.FormatHash(OperatorKey);
        settings["Auth__ApiKeys__0__Roles__0"] = Roles.Operator;
        settings["Auth__ApiKeys__1__Name"] = "auditor";
        settings["Auth__ApiKeys__1__Hash"] = ApiKeyStore.FormatHash(AuditorKey);
        settings["Auth__ApiKeys__1__Roles__0"] = Roles.Auditor;
        settings["Logging__LogLevel__Default"] = "Warning";
        var child = ChildProcess.Start("dotnet", [Path.Combine(output, dll), "--contentRoot", output], settings, _data);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await child.WaitUntilAsync(async () => (await http.GetAsync(url + "/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), project);
        return child;
    }

    public async Task DisposeAsync()
    {
        if (_verifier is not null)
        {
            await _verifier.DisposeAsync();
        }

        if (_registrar is not null)
        {
            await _registrar.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }
}
