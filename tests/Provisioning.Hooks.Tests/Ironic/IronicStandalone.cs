using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Hooks.Tests.Stack;

namespace Attest.Hooks.Tests.Ironic;

/// <summary>
/// A real Ironic (Debian's python3-ironic), standalone as shared/ironic-standalone.md describes: API and conductor in
/// one process, no auth, no message queue, SQLite, fake-hardware — with Attest's conductor-side management interface
/// (contrib/ironic) found through its entry points and enabled as <c>attest-fake</c>.
/// </summary>
public sealed class IronicStandalone : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ChildProcess _process;

    private IronicStandalone(string directory, ChildProcess process, string url)
    {
        _directory = directory;
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri(url + "/v1/") };
        Http.DefaultRequestHeaders.Add("X-OpenStack-Ironic-API-Version", "latest");
    }

    public HttpClient Http { get; }

    public string Log => _process.Output;

    public static async Task<IronicStandalone> StartAsync(AttestServices services)
    {
        if (!IronicEnvironment.Available)
        {
            throw new InvalidOperationException("python3-ironic is not installed but CI=true: scripts/prerequisites.sh must install it");
        }

        var directory = Directory.CreateTempSubdirectory("attest-ironic-").FullName;
        var sitePackages = Path.Combine(directory, "site");
        await RunAsync(IronicEnvironment.Python, [Path.Combine(Repo.IronicContrib, "tools", "write_dist_info.py"), sitePackages], new Dictionary<string, string>());
        var port = FreePort.Next();
        var config = Path.Combine(directory, "ironic.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, port, services));
        var environment = new Dictionary<string, string> { ["PYTHONPATH"] = $"{Repo.IronicContrib}:{sitePackages}" };
        await RunAsync(IronicEnvironment.Python, [.. Module("dbsync"), "--config-file", config, "create_schema"], environment);

        var process = ChildProcess.Start(IronicEnvironment.Python, [.. Module("singleprocess"), "--config-file", config], environment, directory);
        var ironic = new IronicStandalone(directory, process, $"http://127.0.0.1:{port}");
        try
        {
            await process.WaitUntilAsync(async () => (await ironic.Http.GetAsync("drivers")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), "Ironic");
        }
        catch
        {
            await ironic.DisposeAsync();
            throw;
        }

        return ironic;
    }

    /// <summary>Ironic's commands are modules with a main() but no <c>__main__</c> guard: <c>python3 -m</c> would do nothing.</summary>
    private static string[] Module(string name) => ["-c", $"import sys; from ironic.cmd.{name} import main; sys.exit(main())"];

    /// <summary>The node-side command the conductor runs after opening a session, in place of ironic-python-agent.</summary>
    private static string SimulatedNodeCommand(AttestServices services) => string.Join(' ',
        Repo.Hook, "attest", "--session", "{session_id}", "--purpose", "{purpose}", "--node-id", "{attest_node_id}",
        "--verifier", services.VerifierUrl, "--tpm", "{driver_info[attest_tpm]}", "--state-dir", "{driver_info[attest_state_dir]}",
        "--event-log", "{driver_info[attest_event_log]}", "--ima-log", "{driver_info[attest_ima_log]}", "--retries", "1");

    private static string Configuration(string directory, int port, AttestServices services) => string.Join('\n',
        "[DEFAULT]",
        "auth_strategy = noauth",
        "rpc_transport = none",
        "host = localhost",
        "use_stderr = true",
        "debug = false",
        // Access logs of every poll would drown what matters when a test fails.
        "default_log_levels = eventlet.wsgi.server=WARN,oslo.service.wsgi=WARN,stevedore=WARN,sqlalchemy=WARN,alembic=WARN,ironic.common.driver_factory=WARN,oslo_db=WARN",
        "enabled_hardware_types = fake-hardware",
        "enabled_power_interfaces = fake",
        "enabled_boot_interfaces = fake",
        "enabled_deploy_interfaces = fake",
        "enabled_management_interfaces = attest-fake,fake",
        "enabled_inspect_interfaces = fake,no-inspect",
        "enabled_raid_interfaces = fake,no-raid",
        "enabled_bios_interfaces = fake,no-bios",
        "enabled_console_interfaces = fake,no-console",
        "enabled_vendor_interfaces = fake,no-vendor",
        "enabled_rescue_interfaces = fake,no-rescue",
        "enabled_network_interfaces = noop",
        "enabled_storage_interfaces = noop",
        "[api]",
        "host_ip = 127.0.0.1",
        $"port = {port.ToString(CultureInfo.InvariantCulture)}",
        "[database]",
        $"connection = sqlite:///{Path.Combine(directory, "ironic.db")}",
        "[conductor]",
        "automated_clean = false",
        "[oslo_concurrency]",
        $"lock_path = {directory}",
        "[attest]",
        $"hook_path = {Repo.Hook}",
        $"verifier_url = {services.VerifierUrl}",
        $"api_key_file = {services.OperatorKeyFile}",
        "timeout = 5",
        "retries = 2",
        $"simulated_node_command = {SimulatedNodeCommand(services)}",
        "");

    /// <summary>Enrolls a fake-hardware node with Attest's management interface; its Ironic UUID is its Attest node id.</summary>
    public async Task<string> CreateNodeAsync(HookNode node)
    {
        var response = await Http.PostAsync("nodes", Json(new Dictionary<string, object>
        {
            ["uuid"] = node.NodeId,
            ["name"] = "attest-" + node.NodeId[..8],
            ["driver"] = "fake-hardware",
            ["management_interface"] = "attest-fake",
            ["driver_info"] = new Dictionary<string, string>
            {
                ["attest_tpm"] = node.Node.Tpm.TpmSpec,
                ["attest_state_dir"] = node.Node.StateDirectory,
                ["attest_event_log"] = node.Node.EventLogPath,
                ["attest_ima_log"] = node.NoImaLog,
            },
        }));
        await EnsureSuccessAsync(response);
        return node.NodeId;
    }

    public async Task<JsonObject> GetNodeAsync(string uuid) =>
        (await Http.GetFromJsonAsync<JsonObject>($"nodes/{uuid}")) ?? throw new InvalidOperationException("no node " + uuid);

    /// <summary>Asks for a provision-state change and waits until Ironic has finished it (one of <paramref name="ends"/>).</summary>
    public async Task<JsonObject> ProvisionAsync(string uuid, object request, params string[] ends)
    {
        await EnsureSuccessAsync(await Http.PutAsync($"nodes/{uuid}/states/provision", Json(request)));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var node = await GetNodeAsync(uuid);
            var state = (string?)node["provision_state"];
            // A failed step leaves the target set ("clean failed" → "manageable"): that is an end too.
            if (ends.Contains(state) && (node["target_provision_state"] is null || state!.EndsWith(" failed", StringComparison.Ordinal)))
            {
                return node;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"node {uuid} still '{state}' (waiting for {string.Join('/', ends)}); last_error: {node["last_error"]}\n{Log}");
            }

            await Task.Delay(200);
        }
    }

    public async Task ClearMaintenanceAsync(string uuid) => await EnsureSuccessAsync(await Http.DeleteAsync($"nodes/{uuid}/maintenance"));

    public async Task SetInstanceInfoAsync(string uuid)
    {
        var patch = Json(new object[]
        {
            new { op = "add", path = "/instance_info/image_source", value = "http://127.0.0.1/image.qcow2" },
            new { op = "add", path = "/instance_info/root_gb", value = "10" },
        });
        await EnsureSuccessAsync(await Http.PatchAsync($"nodes/{uuid}", patch));
    }

    /// <summary>A body with a Content-Length: Ironic's WSGI server reads no chunked request bodies.</summary>
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Ironic said {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task RunAsync(string file, string[] arguments, Dictionary<string, string> environment)
    {
        await using var child = ChildProcess.Start(file, arguments, environment);
        await child.ExpectSuccessAsync(TimeSpan.FromSeconds(60), file + " " + string.Join(' ', arguments));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
