using System.Text.Json.Serialization;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.EventLog;

/// <summary>The PCR values one bank replays to, for every PCR that has at least one extended event.</summary>
/// <param name="IncompletePcrs">PCRs with an event that carries no digest for this bank: their value cannot be trusted.</param>
public sealed record PcrBankReplay(
    [property: JsonConverter(typeof(JsonStringEnumConverter<TpmAlgId>))] TpmAlgId Bank,
    IReadOnlyDictionary<int, byte[]> Pcrs,
    IReadOnlyList<int> IncompletePcrs);

/// <param name="Banks">Replayed banks: those the log has digests for.</param>
/// <param name="UnsupportedBanks">Banks the log carries but this process cannot hash (e.g. SM3): not replayed.</param>
public sealed record EventLogReplayResult(
    IReadOnlyList<PcrBankReplay> Banks,
    IReadOnlyList<TpmAlgId> UnsupportedBanks)
{
    public PcrBankReplay? Bank(TpmAlgId bank) => Banks.FirstOrDefault(b => b.Bank == bank);
}

/// <summary>Replays the log's digests into PCR values, per bank, as the TPM would have extended them.</summary>
public static class EventLogReplay
{
    public static EventLogReplayResult Replay(TcgEventLog log) => Replay(log, null);

    /// <param name="only">When given, replays only these banks (a verifier needs only the quoted ones).</param>
    public static EventLogReplayResult Replay(TcgEventLog log, IEnumerable<TpmAlgId>? only)
    {
        ArgumentNullException.ThrowIfNull(log);
        var wanted = only?.ToHashSet();
        var banks = new List<PcrBankReplay>(log.Banks.Count);
        var unsupported = new List<TpmAlgId>();
        foreach (var bank in log.Banks)
        {
            if (wanted is not null && !wanted.Contains(bank.Algorithm))
            {
                continue;
            }

            if (!TpmHash.CanCompute(bank.Algorithm) || TpmHash.DigestSize(bank.Algorithm) != bank.DigestSize)
            {
                unsupported.Add(bank.Algorithm);
                continue;
            }

            // A bank the header declares but no event carries is not in the log (tpm2_eventlog agrees).
            if (!log.Events.Any(e => e.IsExtended && e.DigestFor(bank.Algorithm) is not null))
            {
                continue;
            }

            banks.Add(ReplayBank(log, bank.Algorithm, bank.DigestSize));
        }

        return new EventLogReplayResult(banks, unsupported);
    }

    private static PcrBankReplay ReplayBank(TcgEventLog log, TpmAlgId alg, int size)
    {
        var values = new byte[EventLogLimits.PcrCount * size];
        Span<bool> touched = stackalloc bool[EventLogLimits.PcrCount];
        Span<bool> incomplete = stackalloc bool[EventLogLimits.PcrCount];
        for (var pcr = 0; pcr < EventLogLimits.PcrCount; pcr++)
        {
            InitialValue(pcr, log.StartupLocality, values.AsSpan(pcr * size, size));
        }

        // One hasher reused for every extend: creating a hash context per call costs more than the hash.
        using var hasher = TpmHash.CreateIncremental(alg);
        foreach (var e in log.Events)
        {
            if (!e.IsExtended || e.PcrIndex >= EventLogLimits.PcrCount)
            {
                continue;
            }

            var pcr = (int)e.PcrIndex;
            touched[pcr] = true;
            var digest = e.DigestFor(alg);
            if (digest is null)
            {
                incomplete[pcr] = true;
                continue;
            }

            // TPM 2.0 Part 1 §17.2: PCR := H(PCR || digest).
            var value = values.AsSpan(pcr * size, size);
            hasher.AppendData(value);
            hasher.AppendData(digest);
            hasher.GetHashAndReset(value);
        }

        var pcrs = new SortedDictionary<int, byte[]>();
        var incompleteList = new List<int>();
        for (var pcr = 0; pcr < EventLogLimits.PcrCount; pcr++)
        {
            if (touched[pcr])
            {
                pcrs[pcr] = values.AsSpan(pcr * size, size).ToArray();
            }

            if (incomplete[pcr])
            {
                incompleteList.Add(pcr);
            }
        }

        return new PcrBankReplay(alg, pcrs, incompleteList);
    }

    /// <summary>
    /// The value a PCR holds after TPM2_Startup(CLEAR): zero, except PCR 0 which ends in the startup
    /// locality (PFP 1.06 §10.4.5.3) and PCRs 17–22 which a PC Client TPM resets to all ones until a
    /// dynamic launch (PC Client PTP, PCR attributes table).
    /// </summary>
    public static void InitialValue(int pcr, byte startupLocality, Span<byte> value)
    {
        if (pcr is >= 17 and <= 22)
        {
            value.Fill(0xFF);
            return;
        }

        value.Clear();
        if (pcr == 0)
        {
            value[^1] = startupLocality;
        }
    }

    /// <summary>
    /// The running value of one PCR after each of its extended events (in log order), starting with
    /// the initial value: what a mismatch is compared against to tell where log and TPM diverge.
    /// </summary>
    public static IReadOnlyList<(int EventIndex, byte[] Value)> History(TcgEventLog log, TpmAlgId alg, int pcr)
    {
        ArgumentNullException.ThrowIfNull(log);
        var size = TpmHash.DigestSize(alg);
        var value = new byte[size];
        InitialValue(pcr, log.StartupLocality, value);
        var history = new List<(int, byte[])> { (-1, (byte[])value.Clone()) };
        foreach (var e in log.Events)
        {
            if (!e.IsExtended || e.PcrIndex != (uint)pcr || e.DigestFor(alg) is not { } digest)
            {
                continue;
            }

            TpmHash.Extend(alg, value, digest);
            history.Add((e.Index, (byte[])value.Clone()));
        }

        return history;
    }
}
