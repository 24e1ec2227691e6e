using System.Globalization;

namespace Attest.LoadTest;

internal enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Command line of the load test (see docs/performance.md). Every run is bounded by time and by count.</summary>
internal sealed record LoadOptions
{
    public DatabaseKind Database { get; init; } = DatabaseKind.Sqlite;

    /// <summary>An existing PostgreSQL server (a maintenance database on it); null: a throwaway cluster is started.</summary>
    public string? PostgresConnection { get; init; }

    public int Nodes { get; init; } = 200;

    public int Concurrency { get; init; } = 32;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    // Long enough for tiered JIT to settle: with 5 s, the JIT still took ~17% of the verifier's CPU in the window (perf).
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Hard cap on measured attestations, so a fast machine still stops.</summary>
    public int MaxAttestations { get; init; } = 1_000_000;

    /// <summary>Plain HTTP instead of TLS (as deployed) between every party.</summary>
    public bool PlainHttp { get; init; }

    public bool Json { get; init; }

    /// <summary>Run the services from another build (a folder holding <c>registrar/</c> and <c>verifier/</c>): A/B comparisons.</summary>
    public string? ServicesFrom { get; init; }

    /// <summary>Keep the services' data folder and logs (printed at the end).</summary>
    public bool Keep { get; init; }

    /// <summary>Extra configuration for both services (<c>--set Key=Value</c>, e.g. <c>Verifier:Evidence:RetainPerNode=0</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        attest-loadtest [--db sqlite|postgres] [--pg CONNSTRING] [--nodes N] [--concurrency C] [--duration SECONDS]
                        [--warmup SECONDS] [--max N] [--http] [--format text|json] [--keep] [--set Section:Key=Value]...
                        [--services-from DIR]
          Starts the registrar and the verifier on 127.0.0.1, enrolls N software nodes through the API, approves a
          baseline for each, then runs C workers (open session, quote, submit evidence) for the duration after a warm-up.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        var settings = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--db" => options with { Database = Next() switch
                {
                    "sqlite" => DatabaseKind.Sqlite,
                    "postgres" => DatabaseKind.Postgres,
                    var other => throw new ArgumentException($"--db: sqlite or postgres, not '{other}'"),
                } },
                "--pg" => options with { Database = DatabaseKind.Postgres, PostgresConnection = Next() },
                "--nodes" => options with { Nodes = Positive(Next(), "--nodes") },
                "--concurrency" => options with { Concurrency = Positive(Next(), "--concurrency") },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(Next(), "--duration")) },
                "--warmup" => options with { WarmUp = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--max" => options with { MaxAttestations = Positive(Next(), "--max") },
                "--http" => options with { PlainHttp = true },
                "--format" => options with { Json = Next() == "json" },
                "--keep" => options with { Keep = true },
                "--services-from" => options with { ServicesFrom = Path.GetFullPath(Next()) },
                "--set" => AddSetting(options, settings, Next()),
                var other => throw new ArgumentException($"unknown option '{other}'"),
            };
        }

        if (options.Nodes < options.Concurrency)
        {
            // Each worker owns its nodes, so one node never has two attestations in flight (a real node quotes serially).
            throw new ArgumentException("--nodes must be at least --concurrency");
        }

        return options with { Settings = settings };
    }

    private static LoadOptions AddSetting(LoadOptions options, Dictionary<string, string> settings, string pair)
    {
        var at = pair.IndexOf('=', StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new ArgumentException($"--set: Section:Key=Value, not '{pair}'");
        }

        settings[pair[..at]] = pair[(at + 1)..];
        return options;
    }

    private static int Positive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name}: a positive integer, not '{text}'");
}
