using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.EventLog.Facts;
using Attest.Verifier.Baselines;
using Attest.Verifier.Evidence;
using Attest.Verifier.Sessions;
using Attest.Verifier.Storage;

namespace Attest.Verifier.History;

/// <summary>A node's attestations as a time series, verdict lookup by session, and what changed between two attestations.</summary>
internal sealed class AttestationHistory(VerifierStore store, TimeProvider clock)
{
    public async Task<Verdict> GetVerdictForSessionAsync(string sessionId, CancellationToken ct)
    {
        var session = await store.GetSessionAsync(sessionId, ct) ?? throw SessionService.NotFound(sessionId);
        if (session.AttestationId is null)
        {
            var state = SessionService.ToContract(session, clock.GetUtcNow()).State;
            throw ApiProblemException.Conflict(SessionErrors.NoVerdict, $"no evidence has been verified for this session (it is {state}): fail closed");
        }

        var row = await store.GetAttestationAsync(session.NodeId, session.AttestationId, ct)
            ?? throw ApiProblemException.Conflict(SessionErrors.NoVerdict, "the session's evidence is still being verified");
        return new Verdict(row.AttestationId, row.SessionId, row.NodeId, row.Verdict, Failures(row), Warnings(row), row.EvidenceDigest,
            (int?)row.BaselineVersion, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
    }

    public async Task<IReadOnlyList<AttestationRecord>> ListAsync(string nodeId, int limit, DateTimeOffset? before, CancellationToken ct)
    {
        var rows = await store.ListAttestationsAsync(nodeId, Math.Clamp(limit, 1, 500), before?.ToUnixTimeMilliseconds(), ct);
        return rows.Select(ToRecord).ToArray();
    }

    public async Task<AttestationRecord> GetAsync(string nodeId, string attestationId, CancellationToken ct) =>
        ToRecord(await GetRowAsync(nodeId, attestationId, ct));

    public async Task<AttestationDiff> DiffAsync(string nodeId, string from, string to, CancellationToken ct)
    {
        var before = await GetRowAsync(nodeId, from, ct);
        var after = await GetRowAsync(nodeId, to, ct);
        var pcrChanges = BaselineComparer.Diff(FlattenPcrs(before.Pcrs), FlattenPcrs(after.Pcrs));
        var factChanges = BaselineComparer.Diff(MeasuredState.Project(Facts(before)), MeasuredState.Project(Facts(after)));
        var imaBefore = ImaStateJson.Deserialize(before.ImaState)?.EntryCount ?? 0;
        var imaAfter = ImaStateJson.Deserialize(after.ImaState)?.EntryCount ?? 0;
        var sameBoot = before.ResetCount == after.ResetCount;
        return new AttestationDiff(from, to, pcrChanges, factChanges, sameBoot ? Math.Max(0, imaAfter - imaBefore) : imaAfter);
    }

    internal async Task<AttestationRow> GetRowAsync(string nodeId, string attestationId, CancellationToken ct) =>
        await store.GetAttestationAsync(nodeId, attestationId, ct)
            ?? throw ApiProblemException.NotFound("attestation.not_found", $"node '{nodeId}' has no attestation '{attestationId}'");

    internal static BootFacts? Facts(AttestationRow row) => row.Facts is null ? null : JsonSerializer.Deserialize<BootFacts>(row.Facts, FactsJson.Options);

    internal static Dictionary<string, IReadOnlyDictionary<string, string>> Pcrs(AttestationRow row) =>
        JsonSerializer.Deserialize<Dictionary<string, IReadOnlyDictionary<string, string>>>(row.Pcrs) ?? [];

    private static Dictionary<string, string> FlattenPcrs(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(json) ?? [])
            .SelectMany(bank => bank.Value.Select(pcr => ($"{bank.Key}:{pcr.Key}", pcr.Value)))
            .ToDictionary(p => p.Item1, p => p.Value);

    private static VerdictFailure[] Failures(AttestationRow row) => JsonSerializer.Deserialize<VerdictFailure[]>(row.Failures) ?? [];

    private static string[] Warnings(AttestationRow row) => JsonSerializer.Deserialize<string[]>(row.Warnings) ?? [];

    private static AttestationRecord ToRecord(AttestationRow row) => new(
        row.AttestationId,
        row.SessionId,
        row.NodeId,
        row.Purpose,
        row.Verdict,
        Failures(row),
        Warnings(row),
        row.EvidenceDigest,
        row.AkName,
        (uint)row.ResetCount,
        (uint)row.RestartCount,
        Pcrs(row),
        row.Facts is null ? null : JsonDocument.Parse(row.Facts).RootElement.Clone(),
        (int?)row.BaselineVersion,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
}
