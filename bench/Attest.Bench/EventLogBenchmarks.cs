using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using BenchmarkDotNet.Attributes;

namespace Attest.Bench;

/// <summary>
/// Parse + replay + verify + boot facts for each real log in shared/testdata/eventlogs (µs per log).
/// Aim: under 100 µs for a 30 KB log on one core.
/// Run: dotnet run -c Release --project bench/Attest.Bench -- --filter '*EventLog*' --job short
/// </summary>
[MemoryDiagnoser]
public class EventLogBenchmarks
{
    private byte[] _bytes = [];
    private Dictionary<Attest.Tpm.Algorithms.TpmAlgId, IReadOnlyDictionary<int, byte[]>> _quoted = [];

    public static IEnumerable<string> Logs()
    {
        var dir = Locate();
        return dir is null ? ["(shared testdata not found)"] : Directory.GetFiles(dir, "*.bin").Select(Path.GetFileName).Where(n => new FileInfo(Path.Combine(dir, n!)).Length > 1024).Order(StringComparer.Ordinal)!;
    }

    [ParamsSource(nameof(Logs))]
    public string Log { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var dir = Locate() ?? throw new InvalidOperationException("set ATTEST_SHARED_TESTDATA to the shared/testdata folder");
        _bytes = File.ReadAllBytes(Path.Combine(dir, Log));

        // What a verifier is handed: the quoted values of one bank (sha256; sha1 for the legacy log).
        var replay = EventLogReplay.Replay(EventLogParser.Parse(_bytes));
        var bank = replay.Bank(Attest.Tpm.Algorithms.TpmAlgId.Sha256) ?? replay.Banks[0];
        _quoted = new() { [bank.Bank] = bank.Pcrs };
    }

    [Benchmark]
    public int ParseOnly() => EventLogParser.Parse(_bytes).Events.Count;

    /// <summary>Replay of every bank in the log (what <c>attestctl eventlog replay</c> does).</summary>
    [Benchmark]
    public int ParseReplayAllBanks() => EventLogReplay.Replay(EventLogParser.Parse(_bytes)).Banks.Count;

    /// <summary>The verifier's path: parse, replay against the quoted bank, verified events, boot facts.</summary>
    [Benchmark]
    public int ParseVerifyFacts()
    {
        var log = EventLogParser.Parse(_bytes);
        var verification = EventLogVerifier.Verify(log, _quoted);
        return BootFactsExtractor.FromVerified(log, verification).BootApplications.Count;
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("ATTEST_SHARED_TESTDATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.Combine(env, "eventlogs");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Attest.sln")))
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "testdata", "eventlogs");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
