using System.Net.Http.Json;
using Attest.Contracts.Verifier;

namespace Attest.LoadTest;

/// <summary>Enrolls the simulated nodes through the registrar and gives each an approved baseline, as an operator would.</summary>
internal static class Fleet
{
    public static async Task<SoftwareNode[]> PrepareAsync(int count, int parallelism, RecordedBoot boot, ApiClient registrar,
        HttpClient verifier, ApiClient operatorClient, ConcurrentVerdicts verdicts, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var nodes = Enumerable.Range(0, count).Select(i => new SoftwareNode($"load-{run}-{i:D5}", boot)).ToArray();
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (node, token) =>
        {
            await node.EnrollAsync(registrar, token);
            // The first attestation fails only with baseline.missing; the operator approves it as the node's baseline.
            var first = await AttestOnceAsync(node, verifier, token);
            verdicts.Add(first.Verdict);
            if (first.Verdict.Failures.Any(f => !f.Code.StartsWith("baseline.", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"node {node.NodeId}: first attestation failed beyond the baseline: "
                    + string.Join(", ", first.Verdict.Failures.Select(f => f.Code)));
            }

            await operatorClient.PostAsync<ApproveBaselineRequest, BaselineRecord>($"v1/nodes/{node.NodeId}/baselines",
                new ApproveBaselineRequest(first.Verdict.AttestationId, "load test: recorded boot"), token);
        });
        return nodes;
    }

    /// <summary>One attestation as a node runs it: open a session, quote over its nonce, submit the evidence.</summary>
    public static async Task<(Verdict Verdict, long SessionTicks, long EvidenceTicks)> AttestOnceAsync(SoftwareNode node, HttpClient verifier, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        AttestationSession session;
        using (var opened = await verifier.PostAsJsonAsync($"v1/nodes/{node.NodeId}/sessions", new OpenSessionRequest("load"), ct))
        {
            await ApiClient.EnsureSuccessAsync(opened, "sessions", ct);
            session = (await opened.Content.ReadFromJsonAsync<AttestationSession>(ct))!;
        }

        var evidence = node.Quote(session);
        var submitted = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await verifier.PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence, ct);
        await ApiClient.EnsureSuccessAsync(response, "evidence", ct);
        var verdict = (await response.Content.ReadFromJsonAsync<Verdict>(ct))!;
        var done = System.Diagnostics.Stopwatch.GetTimestamp();
        if (verdict.SessionId != session.SessionId)
        {
            throw new InvalidOperationException($"verdict for session {verdict.SessionId} answered session {session.SessionId}");
        }

        return (verdict, done - started, done - submitted);
    }
}
