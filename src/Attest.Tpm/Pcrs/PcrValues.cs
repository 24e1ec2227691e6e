using System.Text.Json;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Pcrs;

/// <summary>
/// PCR values per bank, as a node reports them (untrusted until a quote's PCR digest covers them).
/// JSON form: <c>{"sha256": {"0": "&lt;hex&gt;", ...}, "sha1": {...}}</c>.
/// </summary>
public sealed class PcrValues
{
    private readonly Dictionary<TpmAlgId, SortedDictionary<int, byte[]>> _banks = [];

    public IEnumerable<TpmAlgId> Banks => _banks.Keys;

    public void Set(TpmAlgId bank, int index, ReadOnlySpan<byte> value)
    {
        if (!_banks.TryGetValue(bank, out var values))
        {
            values = [];
            _banks[bank] = values;
        }

        values[index] = value.ToArray();
    }

    public bool TryGet(TpmAlgId bank, int index, out ReadOnlyMemory<byte> value)
    {
        if (_banks.TryGetValue(bank, out var values) && values.TryGetValue(index, out var bytes))
        {
            value = bytes;
            return true;
        }

        value = default;
        return false;
    }

    public IReadOnlyDictionary<int, byte[]> Bank(TpmAlgId bank) =>
        _banks.TryGetValue(bank, out var values) ? values : new SortedDictionary<int, byte[]>();

    /// <summary>
    /// Parses the JSON form. Throws <see cref="FormatException"/> naming the bad bank, PCR or value.
    /// Values must have the bank's digest size.
    /// </summary>
    public static PcrValues ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"PCR values are not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return FromJson(document.RootElement);
        }
    }

    public static PcrValues FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("PCR values must be a JSON object of banks");
        }

        var result = new PcrValues();
        foreach (var bank in root.EnumerateObject())
        {
            var alg = ParseBank(bank.Name);
            if (bank.Value.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"bank '{bank.Name}' must be an object of PCR index to hex value");
            }

            foreach (var pcr in bank.Value.EnumerateObject())
            {
                result.SetHex(bank.Name, alg, pcr.Name, pcr.Value.ValueKind == JsonValueKind.String ? pcr.Value.GetString()! : string.Empty);
            }
        }

        return result;
    }

    /// <summary>From the API form (bank name → PCR index → hex), as a node submits it; the same checks as <see cref="FromJson"/>.</summary>
    public static PcrValues FromHex(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> banks)
    {
        ArgumentNullException.ThrowIfNull(banks);
        var result = new PcrValues();
        foreach (var (name, values) in banks)
        {
            var alg = ParseBank(name);
            foreach (var (pcr, hex) in values ?? throw new FormatException($"bank '{name}' must be an object of PCR index to hex value"))
            {
                result.SetHex(name, alg, pcr, hex ?? string.Empty);
            }
        }

        return result;
    }

    private static TpmAlgId ParseBank(string name) =>
        TpmAlgNames.TryParseHash(name, out var alg) ? alg : throw new FormatException($"unknown PCR bank '{name}'");

    private void SetHex(string bankName, TpmAlgId alg, string pcr, string hex)
    {
        if (!int.TryParse(pcr, out var index) || index is < 0 or >= 64)
        {
            throw new FormatException($"bank '{bankName}': '{pcr}' is not a PCR index");
        }

        var bytes = DecodeHex(hex);
        if (bytes is null || bytes.Length != TpmHash.DigestSize(alg))
        {
            throw new FormatException($"{bankName} PCR {index}: expected {TpmHash.DigestSize(alg)} bytes of hex");
        }

        Set(alg, index, bytes);
    }

    /// <summary>The API/JSON form: bank name → PCR index → lowercase hex.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ToHex() => _banks.OrderBy(b => (ushort)b.Key).ToDictionary(
        b => b.Key.Name(),
        b => (IReadOnlyDictionary<string, string>)b.Value.ToDictionary(
            v => v.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), v => Convert.ToHexStringLower(v.Value)));

    public string ToJson() => JsonSerializer.Serialize(ToHex(), JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static byte[]? DecodeHex(string text)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
