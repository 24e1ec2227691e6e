using System.Diagnostics;
using System.Net.Http.Json;
using Attest.Contracts.Verifier;
using System.Text.Json.Nodes;
using Attest.Hooks.Tests.ExitCodes;
using Attest.Hooks.Tests.Stack;
using Xunit.Abstractions;

namespace Attest.Hooks.Tests.Ironic;

/// <summary>
/// A real Ironic runs Attest's conductor-side steps: management.attest opens the session and (standalone set-up)
/// has the swtpm-backed node push evidence through the attest-hook binary; management.verify_attestation reads the
/// verdict from the verifier and fails the step unless it is a pass.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class IronicStepTests(AttestServices services, IronicHost host, ITestOutputHelper output) : IClassFixture<IronicHost>
{
    private static readonly object[] CleanSteps =
    [
        new { @interface = "management", step = "attest", args = new { purpose = "clean" } },
        new { @interface = "management", step = "verify_attestation", args = new { } },
    ];

    private static readonly object[] DeploySteps =
    [
        new { @interface = "management", step = "attest", args = new { purpose = "deploy" }, priority = 90 },
        new { @interface = "management", step = "verify_attestation", args = new { }, priority = 89 },
    ];

    [IronicFact]
    public async Task Good_node_is_cleaned_to_manageable_and_deployed_to_active()
    {
        var ironic = await host.GetAsync(services);
        await using var node = await HookNode.StartAsync(services, Guid.NewGuid().ToString());
        await node.EnrollAndApproveBaselineAsync();
        var uuid = await ironic.CreateNodeAsync(node);
        await ironic.ProvisionAsync(uuid, new { target = "manage" }, "manageable");

        var clock = Stopwatch.StartNew();
        var cleaned = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = CleanSteps }, "manageable", "clean failed");
        output.WriteLine($"manual clean with attestation: {clock.ElapsedMilliseconds} ms");

        Assert.True((string?)cleaned["provision_state"] == "manageable", $"last_error: {cleaned["last_error"]}\n{ironic.Log}");
        await ironic.ProvisionAsync(uuid, new { target = "provide" }, "available");
        await ironic.SetInstanceInfoAsync(uuid);
        clock.Restart();
        var deployed = await ironic.ProvisionAsync(uuid, new { target = "active", deploy_steps = DeploySteps }, "active", "deploy failed");
        output.WriteLine($"deploy with attestation: {clock.ElapsedMilliseconds} ms");
        Assert.True((string?)deployed["provision_state"] == "active", $"last_error: {deployed["last_error"]}\n{ironic.Log}");
        Assert.Null(SessionLeftBehind(deployed));
    }

    [IronicFact]
    public async Task Tampered_node_fails_clean_and_deploy_with_attests_failure_code_in_last_error()
    {
        var ironic = await host.GetAsync(services);
        await using var node = await HookNode.StartAsync(services, Guid.NewGuid().ToString());
        await node.EnrollAndApproveBaselineAsync();
        await node.TamperAsync();
        var uuid = await ironic.CreateNodeAsync(node);
        await ironic.ProvisionAsync(uuid, new { target = "manage" }, "manageable");

        var cleaned = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = CleanSteps }, "manageable", "clean failed");

        Assert.Equal("clean failed", (string?)cleaned["provision_state"]);
        Assert.Contains(HookExitCodeTests.TamperedCode, (string?)cleaned["last_error"], StringComparison.Ordinal);

        // A failed clean leaves the node in maintenance; an operator clears it to try a deploy.
        await ironic.ClearMaintenanceAsync(uuid);
        await ironic.ProvisionAsync(uuid, new { target = "manage" }, "manageable");
        await ironic.ProvisionAsync(uuid, new { target = "provide" }, "available");
        await ironic.SetInstanceInfoAsync(uuid);
        var deployed = await ironic.ProvisionAsync(uuid, new { target = "active", deploy_steps = DeploySteps }, "active", "deploy failed");

        Assert.Equal("deploy failed", (string?)deployed["provision_state"]);
        Assert.Contains(HookExitCodeTests.TamperedCode, (string?)deployed["last_error"], StringComparison.Ordinal);
    }

    [IronicFact]
    public async Task Verification_without_an_attestation_session_fails_closed()
    {
        var ironic = await host.GetAsync(services);
        await using var node = await HookNode.StartAsync(services, Guid.NewGuid().ToString());
        await node.EnrollAndApproveBaselineAsync();
        var uuid = await ironic.CreateNodeAsync(node);
        await ironic.ProvisionAsync(uuid, new { target = "manage" }, "manageable");

        var cleaned = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = new[] { CleanSteps[1] } }, "manageable", "clean failed");

        Assert.Equal("clean failed", (string?)cleaned["provision_state"]);
        Assert.Contains("no attestation session", (string?)cleaned["last_error"], StringComparison.Ordinal);
    }

    [IronicFact]
    public async Task Firmware_update_in_a_clean_passes_through_a_change_window_and_fails_without_one()
    {
        var ironic = await host.GetAsync(services);
        await using var node = await HookNode.StartAsync(services, Guid.NewGuid().ToString());
        await node.EnrollAndApproveBaselineAsync();
        var uuid = await ironic.CreateNodeAsync(node);
        await ironic.ProvisionAsync(uuid, new { target = "manage" }, "manageable");
        object[] openWindow =
        [
            new
            {
                @interface = "management", step = "open_firmware_window",
                args = new { reason = "BIOS rollout CHG-42", components = "system-firmware", target_versions = new Dictionary<string, string> { ["system-firmware"] = AttestServices.FirmwareTargetVersion } },
            },
        ];
        object[] attestAfterUpdate =
        [
            new { @interface = "management", step = "attest", args = new { purpose = "firmware-update" } },
            CleanSteps[1],
        ];

        var opened = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = openWindow }, "manageable", "clean failed");
        Assert.True((string?)opened["provision_state"] == "manageable", $"last_error: {opened["last_error"]}\n{ironic.Log}");
        await node.Node.RebootAsync(Attest.EndToEnd.Tests.SimulatedNode.FirmwareBoot(AttestServices.FirmwareTargetVersion)); // the flash and reboot
        var updated = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = attestAfterUpdate }, "manageable", "clean failed");
        Assert.True((string?)updated["provision_state"] == "manageable", $"last_error: {updated["last_error"]}\n{ironic.Log}");

        // The baseline moved to the new firmware; firmware nobody sanctioned then fails the next clean.
        using var verifier = services.Verifier(AttestServices.AuditorKey);
        var baselines = await verifier.GetFromJsonAsync<BaselineRecord[]>($"v1/nodes/{node.NodeId}/baselines");
        Assert.Equal(2, baselines!.Length);
        Assert.Contains("CHG-42", baselines[1].Reason, StringComparison.Ordinal);
        await node.Node.RebootAsync(Attest.EndToEnd.Tests.SimulatedNode.FirmwareBoot("6.6.6"));
        var rogue = await ironic.ProvisionAsync(uuid, new { target = "clean", clean_steps = attestAfterUpdate }, "manageable", "clean failed");
        Assert.Equal("clean failed", (string?)rogue["provision_state"]);
        Assert.Contains("firmware.unexpected_change", (string?)rogue["last_error"], StringComparison.Ordinal);
    }

    private static JsonNode? SessionLeftBehind(JsonObject node) => node["driver_internal_info"]?["attest_session"];
}
