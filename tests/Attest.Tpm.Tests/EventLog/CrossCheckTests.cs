using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Tests.TestData;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>Our parser and replay against tpm2-tools' tpm2_eventlog, an independent implementation.</summary>
public class CrossCheckTests
{
    [SharedTestDataTheory]
    [MemberData(nameof(RealLogs.All), MemberType = typeof(RealLogs))]
    public void Replay_equals_tpm2_eventlog_for_every_bank_and_pcr(string name)
    {
        var log = EventLogParser.Parse(RealLogs.Read(name));
        var yaml = RealLogs.Yaml(name);
        var replay = EventLogReplay.Replay(log);

        Assert.NotEmpty(yaml.Pcrs);
        Assert.Equal(yaml.Pcrs.Keys.Order(), replay.Banks.Select(b => b.Bank.Name()).Order());
        foreach (var bank in replay.Banks)
        {
            var expected = yaml.Pcrs[bank.Bank.Name()];
            Assert.Equal(expected.Keys.Order(), bank.Pcrs.Keys.Order());
            foreach (var (pcr, value) in bank.Pcrs)
            {
                Assert.True(expected[pcr] == Convert.ToHexStringLower(value), $"{name} {bank.Bank.Name()} PCR {pcr}");
            }
        }
    }

    [SharedTestDataTheory]
    [MemberData(nameof(RealLogs.All), MemberType = typeof(RealLogs))]
    public void Event_count_and_types_equal_tpm2_eventlog(string name)
    {
        var log = EventLogParser.Parse(RealLogs.Read(name));
        var yaml = RealLogs.Yaml(name);
        Assert.Equal(yaml.EventTypes, log.Events.Select(e => e.TypeName));
    }

    [SharedTestDataTheory]
    [MemberData(nameof(RealLogs.All), MemberType = typeof(RealLogs))]
    public void Quote_equal_to_tpm2_eventlog_pcrs_proves_every_extended_event(string name)
    {
        var log = EventLogParser.Parse(RealLogs.Read(name));
        var quoted = Quoted(RealLogs.Yaml(name));

        var result = EventLogVerifier.Verify(log, quoted);

        Assert.True(result.Succeeded, string.Join("\n", result.Failures.Select(f => f.Message)));
        Assert.Equal(log.Events.Where(e => e.IsExtended).Select(e => e.Index), result.VerifiedEvents.Select(e => e.Index));
        Assert.Empty(result.UnverifiedPcrs);
    }

    [SharedTestDataFact]
    public void Sha1_legacy_log_is_read_in_the_sha1_format()
    {
        var log = EventLogParser.Parse(RealLogs.Read("event-uefi-sha1-log.bin"));
        Assert.Equal(EventLogFormat.Sha1, log.Format);
        Assert.Null(log.SpecId);
        Assert.Equal([TpmAlgId.Sha1], log.Banks.Select(b => b.Algorithm));
        Assert.Equal(TcgEventType.SCrtmVersion, log.Events[0].Type);
    }

    [SharedTestDataFact]
    public void Crypto_agile_header_declares_its_banks_and_sizes()
    {
        var log = EventLogParser.Parse(RealLogs.Read("event.bin"));
        Assert.Equal(EventLogFormat.CryptoAgile, log.Format);
        Assert.Equal(
            [(TpmAlgId.Sha1, 20), (TpmAlgId.Sha256, 32), (TpmAlgId.Sha384, 48), (TpmAlgId.Sha512, 64)],
            log.Banks.Select(b => (b.Algorithm, b.DigestSize)));
    }

    internal static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> Quoted(Tpm2EventLogYaml yaml)
    {
        var quoted = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var (bankName, pcrs) in yaml.Pcrs)
        {
            Assert.True(TpmAlgNames.TryParseHash(bankName, out var bank));
            quoted[bank] = pcrs.ToDictionary(p => p.Key, p => Convert.FromHexString(p.Value));
        }

        return quoted;
    }
}
