using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>Logs the project writes, checked against a real TPM's PCRs extended with the same digests (swtpm).</summary>
public sealed class EventLogSwtpmTests(SwtpmFixture fixture) : IClassFixture<SwtpmFixture>
{
    private static readonly TpmAlgId[] Banks = [TpmAlgId.Sha256, TpmAlgId.Sha384];

    private static EventLogWriter Boot()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var db = new CertificateRequest("CN=db", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1));
        return EventLogWriter.TypicalUefiBoot(db.RawData, Banks);
    }

    private static PcrSelection SelectionOf(EventLogWriter log)
    {
        var pcrs = log.Events.Where(e => e.Type != TcgEventType.NoAction).Select(e => (int)e.Pcr).Distinct().Order().ToArray();
        return new PcrSelection(Banks.Select(b => new PcrBankSelection(b, pcrs)));
    }

    private async Task<PcrValues> ExtendAndReadAsync(EventLogWriter log)
    {
        await fixture.Instance.RestartAsync(); // a fresh boot: PCRs 0-16 back to zero
        await using var tpm = fixture.Instance.OpenClient();
        foreach (var e in log.Events.Where(e => e.Type != TcgEventType.NoAction))
        {
            await tpm.PcrExtendAsync((int)e.Pcr, e.Digests.ToDictionary(d => d.Key, d => d.Value));
        }

        return (await tpm.PcrReadAsync(SelectionOf(log))).Values;
    }

    private static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> Quoted(PcrValues values) =>
        Banks.ToDictionary(b => b, b => (IReadOnlyDictionary<int, byte[]>)values.Bank(b).ToDictionary(p => p.Key, p => p.Value));

    [SwtpmFact]
    public async Task Replay_of_a_written_log_equals_the_tpm_pcrs_in_every_bank()
    {
        var log = Boot();
        var values = await ExtendAndReadAsync(log);

        var replay = EventLogReplay.Replay(EventLogParser.Parse(log.ToArray()));
        var verification = EventLogVerifier.Verify(EventLogParser.Parse(log.ToArray()), Quoted(values));

        foreach (var bank in Banks)
        {
            foreach (var (pcr, value) in values.Bank(bank))
            {
                Assert.Equal(Convert.ToHexStringLower(value), Convert.ToHexStringLower(replay.Bank(bank)!.Pcrs[pcr]));
            }
        }

        Assert.True(verification.Succeeded, string.Join("; ", verification.Failures));
        Assert.Equal(log.Events.Count(e => e.Type != TcgEventType.NoAction), verification.VerifiedEvents.Count(e => e.Type != TcgEventType.NoAction));
    }

    [SwtpmFact]
    public async Task Log_missing_the_last_kernel_event_is_caught_on_pcr_8_against_the_tpm()
    {
        var log = Boot();
        var values = await ExtendAndReadAsync(log);
        var last = log.Events.ToList().FindLastIndex(e => e.Pcr == 8);
        var truncated = log.Clone().RemoveAt(last);

        var verification = EventLogVerifier.Verify(EventLogParser.Parse(truncated.ToArray()), Quoted(values));

        Assert.All(verification.Failures, f => Assert.Equal(EventLogFailureCodes.PcrMismatch, f.Code));
        Assert.Equal([8, 8], verification.Failures.Select(f => f.Pcr ?? -1));
        Assert.DoesNotContain(verification.VerifiedEvents, e => e.PcrIndex == 8);
    }
}
