using System.Text.Json;
using System.Text.Json.Serialization;
using Attest.Policies.Evaluation;
using Attest.Tpm.Algorithms;

namespace Attest.Policies.Authoring;

/// <summary>
/// The offline evidence file <c>attestctl policy test</c> reads (docs/policies.md, "Testing a policy"):
/// <code>
/// { "eventLog": "binary_bios_measurements",            // path, relative to this file …
///   "eventLogBase64": "…",                              // … or the bytes inline
///   "imaLog": "ascii_runtime_measurements_sha256", "imaLogBase64": "…",
///   "pcrs": { "sha256": { "0": "hex", "7": "hex", "10": "hex" } } }   // optional: quoted values
/// </code>
/// Without <c>pcrs</c>, logs are replayed against themselves (taken on trust), which suits authoring.
/// </summary>
public sealed record EvidenceFile
{
    public string? EventLog { get; init; }

    public string? EventLogBase64 { get; init; }

    public string? ImaLog { get; init; }

    public string? ImaLogBase64 { get; init; }

    public Dictionary<string, Dictionary<string, string>>? Pcrs { get; init; }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = JsonCommentHandling.Skip };

    /// <exception cref="InvalidDataException">the file is not a usable evidence file (message says why).</exception>
    public static PolicyEvidence Load(string path)
    {
        EvidenceFile file;
        try
        {
            file = JsonSerializer.Deserialize<EvidenceFile>(File.ReadAllText(path), Options) ?? throw new InvalidDataException("the evidence file is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"evidence file {path}: {ex.Message}", ex);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var eventLog = Bytes(file.EventLog, file.EventLogBase64, folder, "eventLog");
        var imaLog = Bytes(file.ImaLog, file.ImaLogBase64, folder, "imaLog");
        if (eventLog is null && imaLog is null)
        {
            throw new InvalidDataException($"evidence file {path} names neither an event log nor an IMA log");
        }

        return EvidenceBuilder.Build(eventLog, imaLog, file.Pcrs is null ? null : ParsePcrs(file.Pcrs), file.ImaLog);
    }

    public static IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> ParsePcrs(IReadOnlyDictionary<string, Dictionary<string, string>> pcrs)
    {
        ArgumentNullException.ThrowIfNull(pcrs);
        var result = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var (bankName, values) in pcrs)
        {
            if (!TpmAlgNames.TryParseHash(bankName, out var bank))
            {
                throw new InvalidDataException($"'{bankName}' is not a PCR bank");
            }

            var bankValues = new Dictionary<int, byte[]>();
            foreach (var (index, hex) in values)
            {
                if (!int.TryParse(index, System.Globalization.CultureInfo.InvariantCulture, out var pcr) || pcr is < 0 or > 23)
                {
                    throw new InvalidDataException($"'{index}' is not a PCR index");
                }

                try
                {
                    bankValues[pcr] = Convert.FromHexString(hex);
                }
                catch (FormatException)
                {
                    throw new InvalidDataException($"{bankName} PCR {index}: '{hex}' is not hex");
                }
            }

            result[bank] = bankValues;
        }

        return result;
    }

    private static byte[]? Bytes(string? relative, string? base64, string folder, string what)
    {
        if (relative is not null && base64 is not null)
        {
            throw new InvalidDataException($"give {what} or {what}Base64, not both");
        }

        if (base64 is not null)
        {
            try
            {
                return Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{what}Base64 is not base64");
            }
        }

        if (relative is null)
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(folder, relative));
        return File.Exists(full) ? File.ReadAllBytes(full) : throw new InvalidDataException($"{what} file {full} does not exist");
    }
}
