using System.Diagnostics;
using Attest.LoadTest;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message + "\n" + LoadOptions.Usage);
    return 2;
}

// The whole run is bounded: set-up, warm-up, window, and a margin for the consistency check.
using var timeout = new CancellationTokenSource(options.WarmUp + options.Duration + TimeSpan.FromMinutes(10));
var ct = timeout.Token;
void Progress(string message)
{
    if (!options.Json)
    {
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
    }
}

var loadBefore = ProcStat.LoadAverage();
Progress($"starting registrar and verifier on {options.Database} ({(options.PlainHttp ? "plain HTTP" : "HTTPS")}); load average {loadBefore}");
await using var services = await AttestServices.StartAsync(options, ct);
var connections = options.Concurrency + 8;
using var verifierHttp = ApiClient.CreateHttp(services.Verifier.BaseAddress, services.Certificate, connections);
using var registrarHttp = ApiClient.CreateHttp(services.Registrar.BaseAddress, services.Certificate, connections);
using var operatorHttp = ApiClient.CreateHttp(services.Verifier.BaseAddress, services.Certificate, connections, services.AdminKey);
var verdicts = new ConcurrentVerdicts();
var boot = RecordedBoot.Create();

Progress($"enrolling {options.Nodes} nodes through the registrar and approving their baselines");
var setup = Stopwatch.StartNew();
var nodes = await Fleet.PrepareAsync(options.Nodes, options.Concurrency, boot, new ApiClient(registrarHttp), verifierHttp, new ApiClient(operatorHttp), verdicts, ct);
Progress($"fleet ready in {setup.Elapsed.TotalSeconds:F1} s; warm-up {options.WarmUp.TotalSeconds} s, then {options.Duration.TotalSeconds} s measured with {options.Concurrency} workers");

ResourceSnapshot? first = null;
var runner = new LoadRunner(nodes, verifierHttp, verdicts, options);
var (workers, elapsed) = await runner.RunAsync(async () => first = await ResourceSnapshot.TakeAsync(services, verifierHttp, ct), ct);
var last = await ResourceSnapshot.TakeAsync(services, verifierHttp, ct);
Progress("checking the verifier's database for lost or duplicated verdicts");
var consistency = await ConsistencyCheck.RunAsync(services.VerifierDatabase, verdicts, ct);

var count = workers.Sum(w => w.Full.Count);
double PerAttestation(TimeSpan before, TimeSpan after) => count == 0 ? 0 : LoadReport.Round((after - before).TotalMilliseconds / count);
var ours = (last.Verifier - first!.Verifier) + (last.Registrar - first.Registrar) + (last.Postgres - first.Postgres) + (last.Generator - first.Generator);
var cpu = new Dictionary<string, double>
{
    ["verifier"] = PerAttestation(first.Verifier, last.Verifier),
    ["registrar"] = PerAttestation(first.Registrar, last.Registrar),
    ["postgres"] = PerAttestation(first.Postgres, last.Postgres),
    ["load generator"] = PerAttestation(first.Generator, last.Generator),
    ["rest of machine"] = PerAttestation(ours, TimeSpan.FromSeconds(last.MachineBusySeconds - first.MachineBusySeconds)),
};
var pipelineCount = last.PipelineCount - first.PipelineCount;
var report = new LoadReport
{
    Database = options.Database.ToString().ToLowerInvariant() + (options.PostgresConnection is null ? "" : " (--pg)"),
    Transport = options.PlainHttp ? "HTTP/1.1 plain" : "HTTP/1.1 over TLS",
    // Services from another build (an A/B run) are not this commit: say so rather than mislabel the figures.
    Commit = options.ServicesFrom is null ? GitCommit() : $"services from {options.ServicesFrom}, tool at {GitCommit()}",
    Nodes = options.Nodes,
    Concurrency = options.Concurrency,
    Seconds = LoadReport.Round(elapsed.TotalSeconds),
    Attestations = count,
    AttestationsPerSecond = LoadReport.Round(count / elapsed.TotalSeconds),
    FullMs = LoadReport.Percentiles.Of(workers.SelectMany(w => w.Full)),
    EvidenceMs = LoadReport.Percentiles.Of(workers.SelectMany(w => w.Evidence)),
    PipelineMeanMs = pipelineCount == 0 ? 0 : LoadReport.Round((last.PipelineSecondsSum - first.PipelineSecondsSum) * 1000 / pipelineCount),
    Verdicts = workers.SelectMany(w => w.Results).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Sum(r => r.Value)),
    Errors = workers.SelectMany(w => w.Errors).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Sum(r => r.Value)),
    CpuMsPerAttestation = cpu,
    LoadAverageBefore = loadBefore,
    LoadAverageAfter = last.LoadAverage,
    Consistency = consistency,
    Settings = options.Settings,
};
Console.WriteLine(options.Json ? report.ToJson() : report.ToText());
if (options.Keep)
{
    Progress($"kept {services.DataDirectory} (service logs, SQLite files)");
}

foreach (var node in nodes)
{
    node.Dispose();
}

return consistency.Consistent && report.Errors.Count == 0 ? 0 : 1;

static string GitCommit()
{
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD")
        {
            RedirectStandardOutput = true,
            WorkingDirectory = RepositoryLayout.Root,
        })!;
        var commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        using var status = Process.Start(new ProcessStartInfo("git", "status --porcelain --untracked-files=no")
        {
            RedirectStandardOutput = true,
            WorkingDirectory = RepositoryLayout.Root,
        })!;
        var dirty = status.StandardOutput.ReadToEnd().Trim().Length > 0;
        status.WaitForExit();
        return dirty ? commit + "+dirty" : commit;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown";
    }
}
