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
