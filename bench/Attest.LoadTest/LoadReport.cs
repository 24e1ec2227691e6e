using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Attest.LoadTest;

/// <summary>What a run measured, as text for people or JSON for machines.</summary>
internal sealed record LoadReport
{
    public required string Database { get; init; }

    public required string Transport { get; init; }

    public required string Commit { get; init; }

    public required int Nodes { get; init; }

    public required int Concurrency { get; init; }

    public required double Seconds { get; init; }

    public required int Attestations { get; init; }

    public required double AttestationsPerSecond { get; init; }

    public required Percentiles FullMs { get; init; }

    public required Percentiles EvidenceMs { get; init; }

    public required double PipelineMeanMs { get; init; }

    public required IReadOnlyDictionary<string, int> Verdicts { get; init; }

    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    /// <summary>CPU milliseconds per attestation by process, and the rest of the machine (other users of the cores).</summary>
    public required IReadOnlyDictionary<string, double> CpuMsPerAttestation { get; init; }

    public required string LoadAverageBefore { get; init; }

    public required string LoadAverageAfter { get; init; }

    public required ConsistencyCheck.Result Consistency { get; init; }

    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    public sealed record Percentiles(double P50, double P90, double P99, double Max)
    {
        public static Percentiles Of(IEnumerable<long> ticks)
        {
            var sorted = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            if (sorted.Length == 0)
            {
                return new Percentiles(0, 0, 0, 0);
            }

            double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
            return new Percentiles(Round(At(0.50)), Round(At(0.90)), Round(At(0.99)), Round(sorted[^1]));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p50 {P50} ms, p90 {P90} ms, p99 {P99} ms, max {Max} ms");
    }

    public static double Round(double value) => Math.Round(value, 2);

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    public string ToText()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Attest load test — {Database}, {Transport}, commit {Commit}");
        text.AppendLine(inv, $"  {Nodes} nodes, {Concurrency} workers, {Seconds:F1} s measured; load average before: {LoadAverageBefore}, after: {LoadAverageAfter}");
        text.AppendLine(inv, $"  attestations: {Attestations} = {AttestationsPerSecond:F0}/s");
        text.AppendLine(inv, $"  full attestation (session + quote + evidence): {FullMs}");
        text.AppendLine(inv, $"  evidence POST alone:                          {EvidenceMs}");
        text.AppendLine(inv, $"  verifier pipeline (its /metrics histogram):   mean {PipelineMeanMs} ms");
        text.AppendLine(inv, $"  verdicts: {string.Join(", ", Verdicts.OrderBy(v => v.Key).Select(v => $"{v.Key} {v.Value}"))}");
        text.AppendLine(inv, $"  errors: {(Errors.Count == 0 ? "none" : string.Join(", ", Errors.Select(e => $"{e.Key} {e.Value}")))}");
        text.AppendLine(inv, $"  CPU ms per attestation: {string.Join(", ", CpuMsPerAttestation.Select(c => $"{c.Key} {c.Value}"))}");
        var c = Consistency;
        text.AppendLine(inv, $"  consistency: {(c.Consistent ? "OK" : "FAILED")} — {c.VerdictsReceived} verdicts received, {c.AttestationsStored} stored; "
            + $"received-not-stored {c.ReceivedButNotStored}, received twice {c.ReceivedTwice}, under another session {c.StoredUnderAnotherSession}, "
            + $"sessions with >1 attestation {c.SessionsWithSeveralAttestations}, used sessions without attestation {c.UsedSessionsWithoutAttestation}, "
            + $"stored-not-received {c.StoredButNotReceived}");
        if (Settings.Count > 0)
        {
            text.AppendLine(inv, $"  settings: {string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value}"))}");
        }

        return text.ToString();
    }
}
