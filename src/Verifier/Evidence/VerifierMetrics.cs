using Prometheus;

namespace Attest.Verifier.Evidence;

/// <summary>Prometheus metrics of attestations: counts by result, failures by code, and latency.</summary>
public static class VerifierMetrics
{
    public static readonly Counter Attestations = Metrics.CreateCounter(
        "attest_attestations_total", "Attestations verified, by result", new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter Failures = Metrics.CreateCounter(
        "attest_attestation_failures_total", "Verification failures, by stable code", new CounterConfiguration { LabelNames = ["code"] });

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "attest_attestation_duration_seconds", "Time to verify and record one evidence submission",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    public static readonly Counter SessionsOpened = Metrics.CreateCounter("attest_sessions_opened_total", "Attestation sessions opened");
}
