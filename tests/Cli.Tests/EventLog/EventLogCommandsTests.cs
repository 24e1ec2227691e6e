using System.CommandLine;
using System.Text.Json;
using Attest.Cli.EventLog;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Tests.EventLog;
using Attest.Tpm.Tests.TestData;

namespace Attest.Cli.Tests.EventLog;

public sealed class EventLogCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-eventlog-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        // Built as Program.cs builds it.
        var root = new RootCommand("attestctl");
        root.Subcommands.Add(EventLogCommands.Create());
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliRunner.Run(root, args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteQuote(Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted)
    {
        var json = JsonSerializer.Serialize(quoted.ToDictionary(b => b.Key.Name(), b => b.Value.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => Convert.ToHexStringLower(p.Value))));
        var path = Path.Combine(_dir, "pcrs.json");
        File.WriteAllText(path, json);
        return path;
    }

    [SharedTestDataFact]
    public void Replay_json_is_bank_to_pcr_to_hex_and_equals_tpm2_eventlog()
    {
        var (exit, output, _) = Run("eventlog", "replay", SharedTestData.Path("eventlogs", "event-arch-linux.bin"), "--format", "json");

        Assert.Equal(0, exit);
        var json = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(output)!;
        Assert.Equal(["sha1", "sha256"], json.Keys.Order());
        Assert.Equal("758b773d94feabf52ef5a4c00a7ad2c80d8d6e6d9d58756150be9bc973da9087", json["sha256"]["0"]);
        Assert.Equal("47591b43af431963eaeb5238a5c42eda1eb0014c27f7de7ae483066a2d2a2e61", json["sha256"]["8"]);
        Assert.Equal(9, json["sha256"].Count);
    }

    [SharedTestDataFact]
    public void Show_lists_every_event_with_decoded_data()
    {
        var (exit, output, _) = Run("eventlog", "show", SharedTestData.Path("eventlogs", "event-bootorder.bin"));

        Assert.Equal(0, exit);
        Assert.Contains("#0 PCR 0 EV_NO_ACTION", output, StringComparison.Ordinal);
        Assert.Contains("\\EFI\\BOOT\\BOOTX64.EFI", output, StringComparison.Ordinal);
        Assert.Contains("order 0001,0000,0002", output, StringComparison.Ordinal);
    }

    [SharedTestDataFact]
    public void Show_json_is_valid_json_for_every_real_log()
    {
        foreach (var name in RealLogs.Names)
        {
            var (exit, output, _) = Run("eventlog", "show", SharedTestData.Path("eventlogs", name), "--format", "json");
            Assert.Equal(0, exit);
            using var doc = JsonDocument.Parse(output);
            Assert.True(doc.RootElement.GetProperty("events").GetArrayLength() > 0);
        }
    }

    [Fact]
    public void Facts_with_matching_pcrs_exit_0_and_come_from_verified_events()
    {
        var boot = EventLogWriter.TypicalUefiBoot(TestCertificates.Db);
        var log = Write("boot.bin", boot.ToArray());

        var (exit, output, _) = Run("eventlog", "facts", log, "--pcrs", WriteQuote(boot.ExpectedPcrs()), "--format", "json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("verification").GetProperty("succeeded").GetBoolean());
        var facts = doc.RootElement.GetProperty("facts");
        Assert.True(facts.GetProperty("fromVerifiedEventsOnly").GetBoolean());
        Assert.True(facts.GetProperty("secureBoot").GetProperty("enabled").GetBoolean());
        Assert.Equal("/vmlinuz root=/dev/sda1 ro", facts.GetProperty("kernelCommandLine").GetString());
    }

    [Fact]
    public void Facts_with_a_mismatching_pcr_exit_1_and_name_it()
    {
        var boot = EventLogWriter.TypicalUefiBoot(TestCertificates.Db);
        var quoted = boot.ExpectedPcrs();
        quoted[TpmAlgId.Sha256] = new Dictionary<int, byte[]>(quoted[TpmAlgId.Sha256]) { [4] = new byte[32] };
        var log = Write("boot.bin", boot.ToArray());

        var (exit, output, _) = Run("eventlog", "facts", log, "--pcrs", WriteQuote(quoted));

        Assert.Equal(1, exit);
        Assert.Contains("did not match: sha256:4", output, StringComparison.Ordinal);
        Assert.Contains(EventLogFailureCodes.PcrMismatch, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Facts_without_pcrs_say_they_are_not_verified()
    {
        var log = Write("boot.bin", EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray());

        var (exit, output, _) = Run("eventlog", "facts", log);

        Assert.Equal(0, exit);
        Assert.StartsWith("NOT VERIFIED", output, StringComparison.Ordinal);
        Assert.Contains(TestCertificates.DbThumbprint, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_log_exits_2_with_one_line_naming_structure_and_offset()
    {
        var bytes = EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray();
        var log = Write("truncated.bin", bytes[..^3]);

        var (exit, output, error) = Run("eventlog", "replay", log);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("malformed TCG_PCR_EVENT2.event at offset", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_pcrs_file_exits_2()
    {
        var log = Write("boot.bin", EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray());
        var pcrs = Path.Combine(_dir, "bad.json");
        File.WriteAllText(pcrs, "{\"sha256\": {\"0\": \"zz\"}}");

        var (exit, _, error) = Run("eventlog", "facts", log, "--pcrs", pcrs);

        Assert.Equal(2, exit);
        Assert.Contains("not a hex string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_exits_2()
    {
        var (exit, _, error) = Run("eventlog", "show", Path.Combine(_dir, "nope.bin"));
        Assert.Equal(2, exit);
        Assert.NotEmpty(error);
    }
}
