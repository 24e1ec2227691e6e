using System.Globalization;
using Attest.Hooks.Tests.Stack;
using Xunit.Abstractions;

namespace Attest.Hooks.Tests.ExitCodes;

/// <summary>
/// What attestation adds to a clean step on swtpm: enroll once, then each step's attestation (the conductor opens a
/// session, the node quotes and pushes through the attest-hook binary, the conductor reads the verdict).
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class StepTimingTests(AttestServices services, ITestOutputHelper output)
{
    [Fact]
    public async Task Attestation_after_one_enrollment_adds_about_a_second_or_less_per_step()
    {
        await using var node = await HookNode.StartAsync(services);
        var enroll = await node.EnrollAndApproveBaselineAsync();

        var steps = new List<(TimeSpan Open, TimeSpan Attest, TimeSpan Verdict)>();
        for (var i = 0; i < 5; i++)
        {
            var open = await HookRunner.RunAsync("session", "open", "--node-id", node.NodeId, "--purpose", "clean",
                "--verifier", services.VerifierUrl, "--api-key", AttestServices.OperatorKey, "--format", "json");
            var session = open.Json.GetProperty("sessionId").GetString()!;
            var attest = await node.AttestAsync(session);
            var verdict = await HookRunner.RunAsync("verdict", "--session", session, "--verifier", services.VerifierUrl, "--api-key", AttestServices.OperatorKey);
            Assert.True(attest.ExitCode == 0 && verdict.ExitCode == 0, attest + "\n" + verdict);
            steps.Add((open.Elapsed, attest.Elapsed, verdict.Elapsed));
        }

        var totals = steps.Select(s => (s.Open + s.Attest + s.Verdict).TotalMilliseconds).Order().ToList();
        var attests = steps.Select(s => s.Attest.TotalMilliseconds).Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"enroll {enroll.Elapsed.TotalMilliseconds:0} ms; per step (open + attest + verdict, each a process): {string.Join(", ", steps.Select(s => $"{s.Open.TotalMilliseconds:0}+{s.Attest.TotalMilliseconds:0}+{s.Verdict.TotalMilliseconds:0}"))} ms; median step {totals[2]:0} ms, median node-side attest {attests[2]:0} ms"));
        // The aim is under 1 s; the bound leaves room for CI machines shared with other work.
        Assert.True(totals[2] < 3000, $"median {totals[2]:0} ms per attested step");
    }
}
