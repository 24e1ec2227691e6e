using System.Diagnostics;
using Attest.Hooks.Tests.Stack;

namespace Attest.Hooks.Tests.ExitCodes;

/// <summary>
/// attest-hook's exit codes are a contract with the steps that call it: 0 pass, 1 attestation failed,
/// 2 usage/configuration, 3 unreachable or timed out after bounded retries. Each case, through the binary.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class HookExitCodeTests(AttestServices services)
{
    [Fact]
    public async Task Good_node_exits_0_and_the_conductors_verdict_exits_0()
    {
        await using var node = await HookNode.StartAsync(services);
        await node.EnrollAndApproveBaselineAsync();
        var session = await OpenSessionAsync(node.NodeId);

        var attest = await node.AttestAsync(session);
        var verdict = await VerdictAsync(session);

        Assert.True(attest.ExitCode == 0, attest.ToString());
        Assert.True(verdict.ExitCode == 0, verdict.ToString());
        Assert.Equal("pass", verdict.Json.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Tampered_node_exits_1_with_the_failure_code_and_so_does_the_conductors_verdict()
    {
        await using var node = await HookNode.StartAsync(services);
        await node.EnrollAndApproveBaselineAsync();
        await node.TamperAsync();
        var session = await OpenSessionAsync(node.NodeId);

        var attest = await node.AttestAsync(session);
        var verdict = await VerdictAsync(session);

        Assert.True(attest.ExitCode == 1, attest.ToString());
        Assert.True(verdict.ExitCode == 1, verdict.ToString());
        Assert.Contains(verdict.Json.GetProperty("failures").EnumerateArray(), f => f.GetProperty("code").GetString() == TamperedCode);
    }

    /// <summary>What the verifier reports for a PCR extended outside the event log.</summary>
    internal const string TamperedCode = "eventlog.pcr_mismatch";

    [Fact]
    public async Task Verdict_for_a_session_without_evidence_exits_1_fails_closed()
    {
        var session = await OpenSessionAsync("node-without-evidence");

        var verdict = await VerdictAsync(session);

        Assert.True(verdict.ExitCode == 1, verdict.ToString());
    }

    [Fact]
    public async Task Missing_verifier_url_exits_2()
    {
        var run = await HookRunner.RunAsync("verdict", "--session", "s");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("ATTEST_VERIFIER_URL", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_exits_2()
    {
        var run = await HookRunner.RunAsync("attest", "--no-such-option");

        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public async Task Verdict_without_an_api_key_exits_2_as_a_configuration_error()
    {
        var session = await OpenSessionAsync("node-without-key");

        var run = await HookRunner.RunAsync("verdict", "--session", session, "--verifier", services.VerifierUrl, "--retries", "1");

        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public async Task Unreachable_verifier_exits_3_after_the_bounded_retries()
    {
        var closed = $"http://127.0.0.1:{FreePort.Next()}";

        var run = await HookRunner.RunAsync("verdict", "--session", "s", "--verifier", closed, "--api-key", "k", "--retries", "3");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("after 3 attempt(s)", run.Stderr, StringComparison.Ordinal);
        // Backoff 0.5 s then 1 s (each up to +50 % jitter) plus start-up: bounded, not a hang.
        Assert.InRange(run.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Slow_verifier_hits_the_timeout_on_each_try_and_exits_3_in_bounded_time()
    {
        await using var slow = new SlowService(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        var run = await HookRunner.RunAsync("verdict", "--session", "s", "--verifier", slow.Url, "--api-key", "k", "--timeout", "1", "--retries", "2");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("no answer within 1 s", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, slow.Requests);
        // Two 1 s timeouts and one backoff of at most 0.75 s: far less than the service's 30 s delay.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Node_side_attest_against_an_unreachable_verifier_exits_3()
    {
        await using var node = await HookNode.StartAsync(services);
        Assert.True((await node.EnrollAsync()).ExitCode == 0);
        var closed = $"http://127.0.0.1:{FreePort.Next()}";
        var arguments = node.NodeArguments("attest", "--event-log", node.Node.EventLogPath, "--ima-log", node.NoImaLog);
        arguments[Array.IndexOf(arguments, "--verifier") + 1] = closed;

        var run = await HookRunner.RunAsync(arguments);

        Assert.True(run.ExitCode == 3, run.ToString());
    }

    private async Task<string> OpenSessionAsync(string nodeId)
    {
        var run = await HookRunner.RunAsync("session", "open", "--node-id", nodeId, "--purpose", "clean",
            "--verifier", services.VerifierUrl, "--api-key", AttestServices.OperatorKey, "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json.GetProperty("sessionId").GetString()!;
    }

    private Task<HookRun> VerdictAsync(string session) =>
        HookRunner.RunAsync("verdict", "--session", session, "--verifier", services.VerifierUrl, "--api-key", AttestServices.OperatorKey, "--format", "json", "--retries", "1");
}
