using Attest.Cli;
using Attest.Cli.Operations;
using Attest.ServiceDefaults.Storage;

namespace Attest.EndToEnd.Tests;

/// <summary>attestctl's operator commands against a real verifier pipeline.</summary>
public sealed class AttestctlOperationsTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Operator_opens_lists_and_closes_a_change_window_and_reads_baseline_history()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, await TpmCaFolder.SwtpmLocalCaAsync());
        await using var node = await SimulatedNode.StartAsync();
        await node.EnrollAsync(stack);
        var first = await node.AttestAsync(stack);
        string[] common = ["--node", node.NodeId, "--verifier", "http://localhost/", "--api-key", AttestStack.AdminKey];
        VerifierApi.HandlerOverride = stack.VerifierHandler;
        try
        {
            var approve = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(stack.Verifier(AttestStack.AdminKey),
                $"v1/nodes/{node.NodeId}/baselines", new Contracts.Verifier.ApproveBaselineRequest(first.AttestationId, "racked by ops"));
            approve.EnsureSuccessStatusCode();

            var opened = Run(["window", "open", .. common, "--component", "system-firmware", "--target", "system-firmware=2.0.0", "--reason", "BIOS 2.0 rollout"]);
            var twice = Run(["window", "open", .. common, "--component", "system-firmware", "--reason", "again"]);
            var listed = Run(["window", "list", .. common]);
            var windowId = opened.Out.Split(' ')[1];
            var closed = Run(["window", "close", .. common, "--window", windowId]);
            var history = Run(["baseline", "history", .. common]);

            Assert.Equal(0, opened.Code);
            Assert.Equal(1, twice.Code);
            Assert.Contains("firmware.window_already_open", twice.Err, StringComparison.Ordinal);
            Assert.Contains($"{windowId}  open", listed.Out, StringComparison.Ordinal);
            Assert.Equal(0, closed.Code);
            Assert.Contains("v1", history.Out, StringComparison.Ordinal);
            Assert.Contains("racked by ops", history.Out, StringComparison.Ordinal);
        }
        finally
        {
            VerifierApi.HandlerOverride = null;
        }
    }

    [Fact]
    public void Unreachable_verifier_exits_three_and_missing_url_exits_two()
    {
        var unreachable = Run("window", "list", "--node", "n1", "--verifier", "https://127.0.0.1:9/", "--api-key", "k");
        var noUrl = Run("baseline", "history", "--node", "n1", "--verifier", "");

        Assert.Equal(3, unreachable.Code);
        Assert.Equal(2, noUrl.Code);
    }
}

/// <summary>attest-hook's conductor-side firmware-window commands against a real verifier pipeline.</summary>
public sealed class HookFirmwareWindowTests
{
    [Fact]
    public async Task Firmware_step_opens_and_cancels_a_window_with_an_operator_key()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());
        Attest.Hooks.Commands.HookContext.HandlerOverride = _ => stack.VerifierHandler();
        try
        {
            string[] common = ["--verifier", "http://localhost/", "--node-id", "node-7"];
            using var opened = new StringWriter();
            var openCode = Attest.Hooks.Commands.HookApp.Run(["firmware-window", "open", .. common, "--api-key", AttestStack.AdminKey,
                "--target", "system-firmware=2.0.0", "--reason", "BIOS rollout"], opened, TextWriter.Null);
            using var refused = new StringWriter();
            var nodeCode = Attest.Hooks.Commands.HookApp.Run(["firmware-window", "open", .. common, "--reason", "no key"], TextWriter.Null, refused);
            var windowId = opened.ToString().Trim();
            var closeCode = Attest.Hooks.Commands.HookApp.Run(["firmware-window", "close", .. common, "--api-key", AttestStack.AdminKey, "--window", windowId], TextWriter.Null, TextWriter.Null);

            Assert.Equal(0, openCode);
            Assert.Equal(2, nodeCode); // no operator key: refused as a configuration error, not retried
            Assert.Contains("auth.unauthenticated", refused.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, closeCode);
            var windows = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Contracts.Verifier.ChangeWindow[]>(
                stack.Verifier(AttestStack.AuditorKey), "v1/nodes/node-7/change-windows");
            var window = Assert.Single(windows!);
            Assert.Equal((windowId, "cancelled", "2.0.0"), (window.WindowId, window.State, window.TargetVersions["system-firmware"]));
        }
        finally
        {
            Attest.Hooks.Commands.HookContext.HandlerOverride = null;
        }
    }
}
