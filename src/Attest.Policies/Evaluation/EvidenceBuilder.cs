using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Ima;

namespace Attest.Policies.Evaluation;

/// <summary>
/// Turns raw logs and (quoted) PCR values into <see cref="PolicyEvidence"/> the way the verifier does: replay against the
/// values, keep only verified events, and prove IMA entries against PCR 10. Used by offline tests and by dry-runs over
/// stored evidence. Without PCR values the logs are replayed against themselves, i.e. taken on trust, and a note says so.
/// </summary>
public static class EvidenceBuilder
{
    private const int ImaPcr = 10;

    public static PolicyEvidence Build(byte[]? eventLog, byte[]? imaLog, IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>? pcrs, string? imaFileName = null)
    {
        var notes = new List<string>();
        TcgEventLog? log = eventLog is null ? null : EventLogParser.Parse(eventLog);
        var quoted = pcrs ?? SelfReplay(log, notes);
        EventLogVerification? verification = null;
        BootFacts? facts = null;
        if (log is not null)
        {
            verification = EventLogVerifier.Verify(log, quoted);
            facts = BootFactsExtractor.FromVerified(log, verification);
            foreach (var failure in verification.Failures)
            {
                notes.Add($"event log: {failure.Code}: {failure.Message}");
            }
        }

        ImaLog? ima = null;
        var proven = 0;
        if (imaLog is not null)
        {
            ima = ImaLog.Parse(imaLog, new ImaParseOptions { FileName = imaFileName });
            var expected = quoted.Where(b => b.Value.ContainsKey(ImaPcr))
                .ToDictionary(b => b.Key, b => (IReadOnlyDictionary<uint, byte[]>)new Dictionary<uint, byte[]> { [ImaPcr] = b.Value[ImaPcr] });
            var replay = ImaReplay.Replay(ima, expected.Count == 0 || pcrs is null
                ? new ImaReplayOptions()
                : new ImaReplayOptions { Banks = [.. expected.Keys], ExpectedPcrs = expected, AllowUnquotedTail = true });
            if (pcrs is null || expected.Count == 0)
            {
                notes.Add("PCR 10 was not given: the IMA log is taken on trust");
            }

            foreach (var failure in replay.Failures)
            {
                notes.Add($"IMA log: {failure.Code}: {failure.Message}");
            }

            proven = replay.Succeeded ? replay.State.EntryCount : 0;
        }

        return new PolicyEvidence { QuotedPcrs = quoted, EventLog = verification, Facts = facts, ImaLog = ima, ImaProvenCount = proven, Notes = notes };
    }

    private static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> SelfReplay(TcgEventLog? log, List<string> notes)
    {
        var result = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        if (log is null)
        {
            return result;
        }

        notes.Add("no PCR values were given: the event log is replayed against itself and taken on trust (fine for authoring, not for attestation)");
        foreach (var bank in EventLogReplay.Replay(log).Banks)
        {
            result[bank.Bank] = bank.Pcrs.Where(p => !bank.IncompletePcrs.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        }

        return result;
    }
}
