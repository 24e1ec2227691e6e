using Attest.Tpm.Ima;
using Xunit.Abstractions;

namespace Attest.Tpm.Tests.Ima;

/// <summary>Parses this machine's own IMA log when securityfs exposes one (needs IMA enabled and root).</summary>
public class ImaLiveLogTests(ITestOutputHelper output)
{
    private const string Directory = "/sys/kernel/security/ima";

    [LiveImaLogFact]
    public void Live_log_in_both_forms_parses_to_the_same_entries_and_replays()
    {
        var binaryPath = Path.Combine(Directory, "binary_runtime_measurements");
        var asciiPath = Path.Combine(Directory, "ascii_runtime_measurements");
        var binaryBytes = File.ReadAllBytes(binaryPath);
        var asciiBytes = File.ReadAllBytes(asciiPath);

        var binary = ImaLog.Parse(binaryBytes, new ImaParseOptions { FileName = binaryPath });
        var ascii = ImaLog.Parse(asciiBytes, new ImaParseOptions { FileName = asciiPath });

        // The kernel may append entries between the two reads: compare the common prefix.
        var common = Math.Min(binary.Entries.Count, ascii.Entries.Count);
        for (var i = 0; i < common; i++)
        {
            ImaLogParserTests.AssertSameEntry(binary.Entries[i], ascii.Entries[i]);
        }

        var result = ImaReplay.Replay(binary);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        output.WriteLine($"live log: {binary.Entries.Count} entries replayed");
    }
}
