using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Contracts.Registrar;
using Attest.Contracts.Verifier;
using Attest.Hooks.Services;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Tests.EventLog;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// Flows 1 and 2 of ARCHITECTURE.md end to end — swtpm nodes, the real node agent, registrar and verifier through
/// their HTTP pipelines — on SQLite and on PostgreSQL, and each tampering case with its own failure code.
/// </summary>
public sealed class AttestationFlowTests
{
    private static async Task<(AttestStack Stack, SimulatedNode Node)> EnrolledAsync(DatabaseProvider provider, bool approveBaseline = true)
    {
        var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        var node = await SimulatedNode.StartAsync();
        var activation = await node.EnrollAsync(stack);
        Assert.Equal("active", activation.State);
        if (approveBaseline)
        {
            var first = await node.AttestAsync(stack);
            Assert.Equal([AttestationCodes.BaselineMissing], first.Failures.Select(f => f.Code));
            var approve = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/baselines",
                new ApproveBaselineRequest(first.AttestationId, "first boot after racking, checked by ops"));
            Assert.Equal(HttpStatusCode.Created, approve.StatusCode);
        }

        return (stack, node);
    }

    private static class AttestationCodes
    {
        public const string BaselineMissing = "baseline.missing";
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Enrolled_node_with_an_approved_baseline_passes_and_history_shows_it(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;

        var verdict = await node.AttestAsync(stack);

        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures.Select(f => $"{f.Code}: {f.Message}")));
        Assert.Equal(1, verdict.BaselineVersion);
        var history = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<AttestationRecord[]>($"v1/nodes/{node.NodeId}/attestations")
            ?? throw new InvalidOperationException("no history");
        Assert.Equal(["pass", "fail"], history.Select(a => a.Result));
        var diff = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<AttestationDiff>(
            $"v1/nodes/{node.NodeId}/attestations/{history[1].AttestationId}/diff/{history[0].AttestationId}");
        Assert.Empty(diff!.Pcrs);
        Assert.Empty(diff.Facts);
        var facts = history[0].Facts ?? throw new InvalidOperationException("no facts recorded");
        Assert.True(facts.GetProperty("secureBoot").GetProperty("enabled").GetBoolean());
        Assert.Equal("1.2.3", facts.GetProperty("crtmVersions")[0].GetString());
        // The conductor reads the verdict for the session itself.
        var conductorView = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<Verdict>($"v1/sessions/{history[0].SessionId}/verdict");
        Assert.Equal(verdict.AttestationId, conductorView!.AttestationId);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Replayed_nonce_is_refused(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var evidence = await node.QuoteAsync(session);
        var first = await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var again = await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence);
        var newSession = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var replayed = await stack.Verifier().PostAsJsonAsync($"v1/sessions/{newSession.SessionId}/evidence", evidence);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("session.already_used", await CodeAsync(again));
        var verdict = await replayed.Content.ReadFromJsonAsync<Verdict>();
        Assert.Contains(verdict!.Failures, f => f.Code == "quote.nonce_mismatch");
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Expired_session_is_refused_and_records_nothing(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var evidence = await node.QuoteAsync(session);
        stack.Clock.Advance(TimeSpan.FromMinutes(10));

        var response = await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("session.expired", await CodeAsync(response));
        var verdict = await stack.Verifier(AttestStack.AuditorKey).GetAsync($"v1/sessions/{session.SessionId}/verdict");
        Assert.Equal("session.no_verdict", await CodeAsync(verdict));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Quote_from_another_nodes_ak_fails_the_signature(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await using var other = await SimulatedNode.StartAsync(distinctTpm: true);
        await other.EnrollAsync(stack);
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);

        var evidence = await other.QuoteAsync(session);
        var verdict = await (await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence)).Content.ReadFromJsonAsync<Verdict>();

        Assert.False(verdict!.Passed);
        Assert.Contains(verdict.Failures, f => f.Code == "quote.signature_invalid");
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Ek_certificate_from_an_unconfigured_maker_root_is_refused(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, TpmCaFolder.Unrelated());
        await using var node = await SimulatedNode.StartAsync();

        var ex = await Assert.ThrowsAsync<ServiceRefusedException>(() => node.EnrollAsync(stack));

        Assert.Equal("enrollment.ek_certificate_untrusted", ex.Code);
        var lookup = await stack.Registrar(AttestStack.AuditorKey).GetAsync($"v1/nodes/{node.NodeId}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Ek_certificate_of_another_tpm_is_refused(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        await using var node = await SimulatedNode.StartAsync();
        await using var other = await SimulatedNode.StartAsync(distinctTpm: true);
        var mine = await ReadEndorsementAsync(node);
        var theirs = await ReadEndorsementAsync(other);

        var response = await stack.Registrar().PostAsJsonAsync("v1/enrollments", new EnrollmentRequest(
            node.NodeId, mine.Public.MarshalSized(), theirs.Certificate, await NewAkAsync(node)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("enrollment.ek_certificate_untrusted", problem.GetProperty("code").GetString());
        Assert.Contains("ek_certificate.key_mismatch", problem.GetProperty("failures").GetRawText(), StringComparison.Ordinal);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Edited_event_log_fails_on_its_pcr(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var edited = node.Boot!.Clone();
        var index = edited.Events.ToList().FindIndex(e => e.Type == TcgEventType.SCrtmVersion);
        var original = edited.Events[index];
        edited.Replace(index, original with { Data = EventLogWriter.Utf16("9.9.9"), Digests = original.Digests.ToDictionary(d => d.Key, d => TpmHash.Compute(d.Key, EventLogWriter.Utf16("9.9.9"))) });
        var path = Path.Combine(node.StateDirectory, "edited.bin");
        await File.WriteAllBytesAsync(path, edited.ToArray());

        var verdict = await node.AttestAsync(stack, eventLogPath: path);

        var mismatch = Assert.Single(verdict.Failures, f => f.Code == EventLogFailureCodes.PcrMismatch);
        Assert.Equal("sha256:0", mismatch.Subject);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Firmware_changed_after_the_baseline_fails_naming_pcr_and_version(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var updated = SimulatedNode.TypicalBoot();
        var index = updated.Events.ToList().FindIndex(e => e.Type == TcgEventType.SCrtmVersion);
        var data = EventLogWriter.Utf16("2.0.0");
        updated.Replace(index, updated.Events[index] with { Data = data, Digests = updated.Events[index].Digests.ToDictionary(d => d.Key, d => TpmHash.Compute(d.Key, data)) });
        await node.RebootAsync(updated);

        var verdict = await node.AttestAsync(stack);

        // Firmware measurements that change outside a change window (FirmwareUpdateTests covers windows).
        Assert.Contains(verdict.Failures, f => f.Code == "firmware.unexpected_change" && f.Subject == "sha256:0");
        var fact = Assert.Single(verdict.Failures, f => f.Subject == "firmware.crtmVersions");
        Assert.Equal("firmware.unexpected_change", fact.Code);
        Assert.Equal("1.2.3", fact.Expected);
        Assert.Equal("2.0.0", fact.Actual);
        Assert.DoesNotContain(verdict.Failures, f => f.Code.StartsWith("eventlog.", StringComparison.Ordinal));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Ak_that_never_activated_cannot_attest(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        await using var node = await SimulatedNode.StartAsync();
        var ek = await ReadEndorsementAsync(node);
        var akPublic = await NewAkAsync(node);
        var enrolled = await stack.Registrar().PostAsJsonAsync("v1/enrollments", new EnrollmentRequest(node.NodeId, ek.Public.MarshalSized(), ek.Certificate, akPublic));
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        // The node claims activation without ever answering the challenge.
        var state = Attest.Hooks.Node.NodeState.Load(node.StateDirectory)!;
        (state with { Activated = true }).Save(node.StateDirectory);

        var verdict = await node.AttestAsync(stack);

        Assert.Contains(verdict.Failures, f => f.Code == "attestation.ak_not_active");
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Racing_submissions_for_one_nonce_exactly_one_wins(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var evidence = await node.QuoteAsync(session);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", evidence))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var history = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<AttestationRecord[]>($"v1/nodes/{node.NodeId}/attestations");
        Assert.Single(history!, a => a.SessionId == session.SessionId);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Different_ek_for_an_enrolled_node_needs_an_operators_replacement(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledAsync(provider, approveBaseline: false);
        await using var _ = stack;
        await using var __ = node;
        await using var swapped = await SimulatedNode.StartAsync(node.NodeId, distinctTpm: true);

        var refused = await Assert.ThrowsAsync<ServiceRefusedException>(() => swapped.EnrollAsync(stack));
        var allow = await stack.Registrar(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/ek-replacement", new EkReplacementRequest("motherboard replaced, ticket OPS-1234"));
        var replaced = await swapped.EnrollAsync(stack);

        Assert.Equal("enrollment.ek_changed", refused.Code);
        Assert.Equal(HttpStatusCode.NoContent, allow.StatusCode);
        Assert.Equal("active", replaced.State);
        var events = await stack.Registrar(AttestStack.AuditorKey).GetFromJsonAsync<NodeEvent[]>($"v1/nodes/{node.NodeId}/events");
        Assert.Equal(["enrolled", "activated", "enrollment_refused", "ek_replacement_allowed", "ek_replaced", "activated"], events!.Select(e => e.Kind));
        // The old TPM's AK no longer verifies anything.
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var verdict = await (await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", await node.QuoteAsync(session))).Content.ReadFromJsonAsync<Verdict>();
        Assert.Contains(verdict!.Failures, f => f.Code == "quote.signature_invalid");
    }

    internal static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    private static async Task<Attest.Hooks.Node.TpmNode.Endorsement> ReadEndorsementAsync(SimulatedNode node)
    {
        await using var tpm = new Attest.Hooks.Node.TpmNode(node.Tpm.OpenClient());
        return await tpm.GetEndorsementKeyAsync(CancellationToken.None);
    }

    private static async Task<byte[]> NewAkAsync(SimulatedNode node)
    {
        await using var tpm = new Attest.Hooks.Node.TpmNode(node.Tpm.OpenClient());
        var (akPublic, akPrivate) = await tpm.CreateAttestationKeyAsync("ecc", CancellationToken.None);
        new Attest.Hooks.Node.NodeState(node.NodeId, akPublic.MarshalSized(), akPrivate, Convert.ToHexStringLower(akPublic.Name.Span), null, false).Save(node.StateDirectory);
        return akPublic.MarshalSized();
    }
}
