using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Attest.LoadTest;

/// <summary>
/// CPU seconds per process and for the whole machine, and the verifier's own latency histogram, at one instant:
/// the difference of two snapshots says where the cores went during the measured window.
/// </summary>
internal sealed record ResourceSnapshot(
    TimeSpan Verifier,
    TimeSpan Registrar,
    TimeSpan Postgres,
    TimeSpan Generator,
    double MachineBusySeconds,
    double PipelineSecondsSum,
    double PipelineCount,
    string LoadAverage)
{
    public static async Task<ResourceSnapshot> TakeAsync(AttestServices services, HttpClient verifier, CancellationToken ct)
    {
        var metrics = await verifier.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
        return new ResourceSnapshot(
            services.Verifier.CpuTime(),
            services.Registrar.CpuTime(),
            services.PostmasterPid is int pid ? ProcStat.TreeCpuTime(pid) : TimeSpan.Zero,
            Process.GetCurrentProcess().TotalProcessorTime,
            MachineBusy(),
            Metric(metrics, "attest_attestation_duration_seconds_sum"),
            Metric(metrics, "attest_attestation_duration_seconds_count"),
            ProcStat.LoadAverage());
    }

    /// <summary>Busy seconds of all cores together since boot (/proc/stat: everything but idle and iowait).</summary>
    private static double MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return (cpu.Take(8).Sum() - cpu[3] - cpu[4]) / 100;
    }

    private static double Metric(string text, string name)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(name) + @"(\{[^}]*\})? ([0-9.eE+-]+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
    }
}
