using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Policies.Documents;
using Attest.Policies.Evaluation;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Verifier.Policies;

/// <summary>
/// "What would this change break?": re-judges the stored raw evidence of recent attestations with a candidate policy.
/// Only attestations whose quote verified are used (their PCR values are then proven); the logs are replayed against
/// those values exactly as at attestation time, so the candidate sees what a live check would see.
/// </summary>
internal sealed class PolicyDryRun(PolicyStore store)
{
    public const int DefaultLastN = 5;
    public const int MaxLastN = 50;
    public const int MaxNodes = 1000;

    public async Task<DryRunReport> RunAsync(Policy candidate, IReadOnlyList<string>? nodes, int lastN, CancellationToken ct)
    {
        var targets = nodes is { Count: > 0 } ? nodes : await store.GovernedNodesAsync(candidate.Name, ct);
        if (targets.Count == 0)
        {
            targets = await store.NodesWithEvidenceAsync(ct);
        }

        var results = new List<DryRunResult>();
        foreach (var node in targets.Take(MaxNodes))
        {
            foreach (var row in await store.RecentEvidenceAsync(node, lastN, ct))
            {
                results.Add(Evaluate(candidate, row));
            }
        }

        return new DryRunReport(candidate.Name, targets.Count, results.Count(r => r.Evaluated), results.Count(r => r.Evaluated && !r.WouldPass), results);
    }

    private static DryRunResult Evaluate(Policy candidate, StoredEvidenceRow row)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt);
        if (row.Clock == 0)
        {
            return new DryRunResult(row.NodeId, row.AttestationId, at, false, "its quote did not verify, so its PCR values prove nothing", false, []);
        }

        PolicyEvidence evidence;
        try
        {
            evidence = EvidenceBuilder.Build(row.EventLog, row.ImaLog, Pcrs(row.Pcrs));
        }
        catch (Exception ex) when (ex is TpmFormatException or InvalidDataException or JsonException or FormatException)
        {
            return new DryRunResult(row.NodeId, row.AttestationId, at, false, $"its evidence no longer parses: {ex.Message}", false, []);
        }

        var verdict = PolicyEvaluator.Evaluate(candidate, evidence);
        return new DryRunResult(row.NodeId, row.AttestationId, at, true, null, verdict.Passed, verdict.Findings.Select(ToRecord).ToArray());
    }

    internal static PolicyFindingRecord ToRecord(PolicyFinding f) =>
        new(f.Code, f.Message, f.Rule, f.Location, f.Event?.Index, f.Event?.Pcr, f.Event?.Type, f.Expected, f.Actual);

    private static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> Pcrs(string json)
    {
        var stored = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(json) ?? [];
        var result = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var (bank, values) in stored)
        {
            if (TpmAlgNames.TryParseHash(bank, out var alg))
            {
                result[alg] = values.ToDictionary(v => int.Parse(v.Key, System.Globalization.CultureInfo.InvariantCulture), v => Convert.FromHexString(v.Value));
            }
        }

        return result;
    }
}
