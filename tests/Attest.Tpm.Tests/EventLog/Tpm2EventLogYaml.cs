using System.Globalization;
using System.Text.RegularExpressions;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>
/// Just enough of tpm2_eventlog's YAML output to cross-check against: the event types in order, and the
/// replayed <c>pcrs:</c> per bank at the end. Line-based on purpose: the format is regular and a YAML
/// package would add a dependency for two fields.
/// </summary>
internal sealed partial record Tpm2EventLogYaml(IReadOnlyList<string> EventTypes, IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> Pcrs)
{
    public static Tpm2EventLogYaml Load(string path)
    {
        var types = new List<string>();
        var pcrs = new Dictionary<string, IReadOnlyDictionary<int, string>>();
        Dictionary<int, string>? bank = null;
        var inPcrs = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line == "pcrs:")
            {
                inPcrs = true;
                continue;
            }

            if (!inPcrs)
            {
                var m = EventTypeLine().Match(line);
                if (m.Success)
                {
                    types.Add(m.Groups[1].Value);
                }

                continue;
            }

            var bankMatch = BankLine().Match(line);
            if (bankMatch.Success)
            {
                bank = [];
                pcrs[bankMatch.Groups[1].Value] = bank;
                continue;
            }

            var pcrMatch = PcrLine().Match(line);
            if (pcrMatch.Success && bank is not null)
            {
                bank[int.Parse(pcrMatch.Groups[1].Value, CultureInfo.InvariantCulture)] = pcrMatch.Groups[2].Value.ToLowerInvariant();
            }
        }

        return new Tpm2EventLogYaml(types, pcrs);
    }

    [GeneratedRegex(@"^-?\s+EventType: (\S+)$")]
    private static partial Regex EventTypeLine();

    [GeneratedRegex(@"^  (\w+):$")]
    private static partial Regex BankLine();

    [GeneratedRegex(@"^    (\d+)\s*: 0x([0-9a-fA-F]+)$")]
    private static partial Regex PcrLine();
}
