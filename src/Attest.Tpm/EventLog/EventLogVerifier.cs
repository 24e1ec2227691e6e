using Attest.Tpm.Algorithms;

namespace Attest.Tpm.EventLog;

/// <summary>
/// The outcome of replaying a log against quoted PCR values. Policies read <see cref="VerifiedEvents"/>
/// only: an event is there when every quoted bank covering its PCR replays to the quoted value and,
/// for types whose digest is the hash of their own data, that data hashes to the digest.
/// </summary>
/// <param name="UnverifiedPcrs">PCRs that have events in the log but are in no quoted bank: their events are not trusted.</param>
public sealed record EventLogVerification(
    IReadOnlyList<TcgEvent> VerifiedEvents,
    IReadOnlyList<PcrRef> MatchedPcrs,
    IReadOnlyList<PcrRef> MismatchedPcrs,
    IReadOnlyList<int> UnverifiedPcrs,
    IReadOnlyList<EventLogFailure> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>"Only trust what replays": checks a parsed log against quoted PCR values.</summary>
public static class EventLogVerifier
{
    /// <param name="quoted">Quoted PCR values: bank → PCR index → value, as the verified quote attests them.</param>
    public static EventLogVerification Verify(TcgEventLog log, IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(quoted);
        var failures = new List<EventLogFailure>();
        var matched = new List<PcrRef>();
        var mismatched = new List<PcrRef>();

        // Per PCR: covered by at least one quoted bank, and whether every covering bank matched.
        var covered = new bool[EventLogLimits.PcrCount];
        var allMatched = new bool[EventLogLimits.PcrCount];
        Array.Fill(allMatched, true);
        TpmAlgId? bindingBank = null;

        if (quoted.Values.All(pcrs => pcrs.Count == 0))
        {
            failures.Add(new EventLogFailure(EventLogFailureCodes.NothingQuoted, "the quote covers no PCR; no event can be trusted"));
        }

        var replay = EventLogReplay.Replay(log, quoted.Where(q => q.Value.Count > 0).Select(q => q.Key));
        PcrBankReplay bankReplay;
        foreach (var (bank, pcrs) in quoted.OrderBy(q => (ushort)q.Key))
        {
            if (pcrs.Count == 0)
            {
                continue;
            }

            if (replay.Bank(bank) is { } found)
            {
                bankReplay = found;
            }
            else if (!replay.UnsupportedBanks.Contains(bank))
            {
                failures.Add(new EventLogFailure(EventLogFailureCodes.BankMissing,
                    $"the quote covers the {bank.Name()} bank but the log has no {bank.Name()} digests", bank));
                MarkAll(pcrs.Keys, covered, allMatched);
                continue;
            }
            else
            {
                failures.Add(new EventLogFailure(EventLogFailureCodes.BankUnsupported,
                    $"the {bank.Name()} bank cannot be replayed here", bank));
                MarkAll(pcrs.Keys, covered, allMatched);
                continue;
            }

            var size = TpmHash.DigestSize(bank);
            foreach (var (pcr, value) in pcrs.OrderBy(p => p.Key))
            {
                if (pcr < 0 || pcr >= EventLogLimits.PcrCount || value is null || value.Length != size)
                {
                    failures.Add(new EventLogFailure(EventLogFailureCodes.PcrValueInvalid,
                        $"quoted {bank.Name()} PCR {pcr} is not a {size}-byte value for PCR 0-{EventLogLimits.PcrCount - 1}", bank, pcr));
                    if (pcr >= 0 && pcr < EventLogLimits.PcrCount)
                    {
                        covered[pcr] = true;
                        allMatched[pcr] = false;
                    }

                    continue;
                }

                covered[pcr] = true;
                if (bankReplay.IncompletePcrs.Contains(pcr))
                {
                    failures.Add(new EventLogFailure(EventLogFailureCodes.DigestMissing,
                        $"an event on PCR {pcr} has no {bank.Name()} digest, so the bank cannot be replayed", bank, pcr));
                    allMatched[pcr] = false;
                    mismatched.Add(new PcrRef(bank, pcr));
                    continue;
                }

                var replayed = bankReplay.Pcrs.TryGetValue(pcr, out var v) ? v : Initial(log, pcr, size);
                if (replayed.AsSpan().SequenceEqual(value))
                {
                    matched.Add(new PcrRef(bank, pcr));
                    if (bindingBank is null || Strength(bank) > Strength(bindingBank.Value))
                    {
                        bindingBank = bank;
                    }

                    continue;
                }

                allMatched[pcr] = false;
                mismatched.Add(new PcrRef(bank, pcr));
                failures.Add(Mismatch(log, bank, pcr, value, replayed));
            }
        }

        var verified = new List<TcgEvent>();
        var unverified = new SortedSet<int>();
        foreach (var e in log.Events)
        {
            if (!e.IsExtended)
            {
                continue;
            }

            if (e.PcrIndex >= EventLogLimits.PcrCount || !covered[e.PcrIndex])
            {
                if (e.PcrIndex < EventLogLimits.PcrCount)
                {
                    unverified.Add((int)e.PcrIndex);
                }

                continue;
            }

            if (!allMatched[e.PcrIndex])
            {
                continue;
            }

            // The digest is proven; for types whose digest is defined over the data, the data must be too.
            var bank = BankProvenFor(quoted, (int)e.PcrIndex, bindingBank);
            if (bank is { } b && EventDataBinding.RequiresBinding(e) && !EventDataBinding.IsBound(e, b))
            {
                failures.Add(new EventLogFailure(EventLogFailureCodes.EventDataMismatch,
                    $"event {e.Index} ({e.Type.Name()}) on PCR {e.PcrIndex}: its data does not hash to its {b.Name()} digest",
                    b, (int)e.PcrIndex, EventIndex: e.Index));
                continue;
            }

            verified.Add(e);
        }

        return new EventLogVerification(verified, matched, mismatched, [.. unverified], failures);
    }

    private static void MarkAll(IEnumerable<int> pcrs, bool[] covered, bool[] allMatched)
    {
        foreach (var pcr in pcrs)
        {
            if (pcr >= 0 && pcr < EventLogLimits.PcrCount)
            {
                covered[pcr] = true;
                allMatched[pcr] = false;
            }
        }
    }

    private static TpmAlgId? BankProvenFor(IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted, int pcr, TpmAlgId? preferred)
    {
        // Prefer the strongest bank that covers this PCR: a SHA-1 match alone proves less.
        TpmAlgId? best = null;
        foreach (var (bank, pcrs) in quoted)
        {
            if (pcrs.ContainsKey(pcr) && TpmHash.CanCompute(bank) && (best is null || Strength(bank) > Strength(best.Value)))
            {
                best = bank;
            }
        }

        return best ?? preferred;
    }

    private static int Strength(TpmAlgId alg) => alg == TpmAlgId.Sha1 ? 0 : TpmHash.DigestSize(alg);

    private static byte[] Initial(TcgEventLog log, int pcr, int size)
    {
        var value = new byte[size];
        EventLogReplay.InitialValue(pcr, log.StartupLocality, value);
        return value;
    }

    private static EventLogFailure Mismatch(TcgEventLog log, TpmAlgId bank, int pcr, byte[] quotedValue, byte[] replayed)
    {
        var expected = Convert.ToHexStringLower(quotedValue);
        var actual = Convert.ToHexStringLower(replayed);
        var history = EventLogReplay.History(log, bank, pcr);
        for (var i = history.Count - 2; i >= 0; i--)
        {
            if (history[i].Value.AsSpan().SequenceEqual(quotedValue))
            {
                var extra = history.Count - 1 - i;
                var where = history[i].EventIndex < 0 ? "its initial value" : $"the replay up to event {history[i].EventIndex}";
                return new EventLogFailure(EventLogFailureCodes.PcrMismatch,
                    $"{bank.Name()} PCR {pcr}: the quoted value equals {where}; the log has {extra} later event(s) on this PCR that the TPM did not see",
                    bank, pcr, expected, actual, LastMatchingEventIndex: history[i].EventIndex);
            }
        }

        return new EventLogFailure(EventLogFailureCodes.PcrMismatch,
            $"{bank.Name()} PCR {pcr}: quoted {expected}, the log replays to {actual}; no prefix of the log's {history.Count - 1} event(s) on this PCR reaches the quoted value (events edited, inserted, removed, reordered or missing)",
            bank, pcr, expected, actual);
    }
}
