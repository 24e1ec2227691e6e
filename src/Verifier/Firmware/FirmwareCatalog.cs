using System.Globalization;
using Attest.Tpm.Algorithms;
using Attest.Verifier.Storage;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Attest.Verifier.Firmware;

/// <summary>
/// The approved-firmware catalog: documents from <c>Verifier:Firmware:CatalogDirectory</c> plus those uploaded through
/// the API. Every document is validated on load; an invalid file is reported at start-up and ignored, an invalid
/// upload is refused.
/// </summary>
internal sealed partial class FirmwareCatalog
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private readonly FirmwareStore _store;
    private readonly ILogger<FirmwareCatalog> _logger;
    private readonly IReadOnlyList<FirmwareCatalogDocument> _files;
    private volatile IReadOnlyList<FirmwareCatalogDocument> _uploaded = [];

    public FirmwareCatalog(FirmwareStore store, IOptions<VerifierOptions> options, IHostEnvironment environment, ILogger<FirmwareCatalog> logger)
    {
        _store = store;
        _logger = logger;
        _files = LoadDirectory(Path.Combine(environment.ContentRootPath, options.Value.Firmware.CatalogDirectory));
    }

    public IEnumerable<FirmwareCatalogDocument> Documents => _files.Concat(_uploaded);

    public IEnumerable<FirmwareRelease> Releases => Documents.SelectMany(d => d.Releases);

    /// <summary>Parses and validates a document; returns the problems (empty when valid).</summary>
    public static (FirmwareCatalogDocument? Document, IReadOnlyList<string> Problems) Parse(string text)
    {
        FirmwareCatalogDocument? document;
        try
        {
            document = Yaml.Deserialize<FirmwareCatalogDocument>(text);
        }
        catch (YamlException ex)
        {
            return (null, [$"line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}"]);
        }

        if (document is null)
        {
            return (null, ["the document is empty"]);
        }

        return (document, Validate(document));
    }

    public static IReadOnlyList<string> Validate(FirmwareCatalogDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var problems = new List<string>();
        if (document.Kind != "firmware-catalog")
        {
            problems.Add($"kind: must be 'firmware-catalog', not '{document.Kind}'");
        }

        if (string.IsNullOrWhiteSpace(document.Name))
        {
            problems.Add("name: required");
        }

        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < document.Releases.Count; i++)
        {
            var release = document.Releases[i];
            var at = $"releases[{i}]";
            if (!FirmwareComponents.All.Contains(release.Component))
            {
                problems.Add($"{at}.component: '{release.Component}' is not one of {string.Join(", ", FirmwareComponents.All)}");
            }

            if (string.IsNullOrWhiteSpace(release.Version))
            {
                problems.Add($"{at}.version: required");
            }
            else if (!seen.Add((release.Component, release.Version)))
            {
                problems.Add($"{at}: {release.Component} {release.Version} is listed twice");
            }

            if (release.CrtmVersion is null && release.Digests.Count == 0 && release.Pcrs.Count == 0)
            {
                problems.Add($"{at}: give at least one measurement (crtmVersion, digests or pcrs): a release nothing can match would approve nothing");
            }

            foreach (var (bank, digests) in release.Digests)
            {
                problems.AddRange(CheckBank($"{at}.digests.{bank}", bank, digests));
            }

            foreach (var (bank, pcrs) in release.Pcrs)
            {
                foreach (var (pcr, value) in pcrs)
                {
                    if (!int.TryParse(pcr, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index > 23)
                    {
                        problems.Add($"{at}.pcrs.{bank}: '{pcr}' is not a PCR index");
                    }

                    problems.AddRange(CheckBank($"{at}.pcrs.{bank}.{pcr}", bank, [value]));
                }
            }
        }

        return problems;
    }

    /// <summary>The release of <paramref name="component"/> whose every measurement matches what the node measured now.</summary>
    public FirmwareRelease? Match(string component, IReadOnlyDictionary<string, string> measuredState, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> quotedPcrs) =>
        Releases.Where(r => r.Component == component).FirstOrDefault(r => Matches(r, measuredState, quotedPcrs));

    public async Task RefreshAsync(CancellationToken ct)
    {
        var rows = await _store.ListCatalogsAsync(ct);
        var documents = new List<FirmwareCatalogDocument>();
        foreach (var row in rows)
        {
            var (document, problems) = Parse(row.Document);
            if (document is not null && problems.Count == 0)
            {
                documents.Add(document);
            }
        }

        _uploaded = documents;
    }

    internal static bool Matches(FirmwareRelease release, IReadOnlyDictionary<string, string> state, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> quotedPcrs)
    {
        if (release.CrtmVersion is not null)
        {
            var versions = state.GetValueOrDefault("firmware.crtmVersions")?.Split(" | ") ?? [];
            if (!versions.Contains(release.CrtmVersion, StringComparer.Ordinal))
            {
                return false;
            }
        }

        // The measured state keeps one (SHA-256 where logged) digest per blob/driver: catalog digests are SHA-256.
        var measuredKey = release.Component == FirmwareComponents.OptionRoms ? "boot.drivers" : "firmware.blobs";
        var measured = (state.GetValueOrDefault(measuredKey) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var digest in release.Digests.GetValueOrDefault("sha256") ?? [])
        {
            if (!measured.Contains(digest))
            {
                return false;
            }
        }

        foreach (var (bank, pcrs) in release.Pcrs)
        {
            foreach (var (pcr, value) in pcrs)
            {
                if (!quotedPcrs.TryGetValue(bank, out var quotedBank) || !quotedBank.TryGetValue(pcr, out var quoted)
                    || !string.Equals(quoted, value, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Orders versions the way vendors number them: numeric parts numerically (1.10 &gt; 1.9), the rest ordinally.</summary>
    public static int CompareVersions(string a, string b)
    {
        var left = Split(a);
        var right = Split(b);
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var x = i < left.Length ? left[i] : "0";
            var y = i < right.Length ? right[i] : "0";
            var bothNumeric = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var nx)
                & long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var ny);
            var order = bothNumeric ? nx.CompareTo(ny) : string.CompareOrdinal(x, y);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;

        static string[] Split(string version) => version.Split(['.', '-', '_', ' '], StringSplitOptions.RemoveEmptyEntries);
    }

    private static IEnumerable<string> CheckBank(string at, string bank, IEnumerable<string> values)
    {
        if (!TpmAlgNames.TryParseHash(bank, out var alg) || TpmHash.DigestSize(alg) == 0)
        {
            yield return $"{at}: unknown bank '{bank}'";
            yield break;
        }

        foreach (var value in values)
        {
            if (value.Length != TpmHash.DigestSize(alg) * 2 || !value.All(Uri.IsHexDigit))
            {
                yield return $"{at}: '{value}' is not a {bank} digest ({TpmHash.DigestSize(alg) * 2} hex digits)";
            }
        }
    }

    private IReadOnlyList<FirmwareCatalogDocument> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var documents = new List<FirmwareCatalogDocument>();
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var (document, problems) = Parse(File.ReadAllText(file));
            if (document is null || problems.Count > 0)
            {
                LogInvalidFile(_logger, file, string.Join("; ", problems));
                continue;
            }

            documents.Add(document);
        }

        return documents;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Firmware catalog {File} is invalid and was not loaded: {Problems}")]
    private static partial void LogInvalidFile(ILogger logger, string file, string problems);
}
