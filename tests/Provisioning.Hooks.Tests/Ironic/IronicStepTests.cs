using System.Diagnostics;
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

    private static JsonNode? SessionLeftBehind(JsonObject node) => node["driver_internal_info"]?["attest_session"];
}
