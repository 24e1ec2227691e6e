using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Ima;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Quotes;
using Attest.Tpm.Verification;
using Attest.Verifier.Baselines;
using Attest.Verifier.Registry;
using Attest.Verifier.Sessions;
using Attest.Verifier.Storage;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Evidence;

/// <summary>
/// Flow 2 of ARCHITECTURE.md, in order: AK registered and active → quote (signature, magic, type, nonce, selection,
/// PCR digest) → event log replays to the quoted PCRs → measured state against the baseline → IMA log replays to
/// PCR 10 → reset/restart counters against the node's history. Every failure is reported; the verdict, evidence
/// digest and facts are recorded.
/// </summary>
internal sealed partial class AttestationPipeline(
    VerifierStore store,
    RegistrarClient registrar,
    VerificationKeyCache keys,
    BaselineEvaluator baselines,
    CryptoProfile profile,
    IOptions<VerifierOptions> options,
    TimeProvider clock,
    IEnumerable<IAttestationCheck> checks,
    IEnumerable<IAttestationObserver> observers,
    ILogger<AttestationPipeline> logger)
{
    private readonly IAttestationCheck[] _checks = checks.OrderBy(c => c.Order).ToArray();
    private readonly IAttestationObserver[] _observers = observers.ToArray();

    private const int ImaPcr = 10;

    public async Task<Verdict> SubmitAsync(string sessionId, EvidenceSubmission submission, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var session = await store.GetSessionAsync(sessionId, ct) ?? throw SessionService.NotFound(sessionId);
        var evidence = ParsedEvidence.Parse(submission);

        // Ask the registrar before using the session: if it is unreachable the node may retry with the same nonce.
        Contracts.Registrar.NodeRecord? node;
        try
        {
            node = await registrar.GetNodeAsync(session.NodeId, ct);
        }
        catch (RegistrarUnavailableException ex)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, SessionErrors.RegistrarUnavailable, ex.Message);
        }

        var attestationId = Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        if (!await store.UseSessionAsync(sessionId, attestationId, now.ToUnixTimeMilliseconds(), ct))
        {
            var current = await store.GetSessionAsync(sessionId, ct);
            throw current?.State == SessionStates.Used
                ? ApiProblemException.Conflict(SessionErrors.AlreadyUsed, "this session's nonce was already used: open a new session")
                : new ApiProblemException(StatusCodes.Status410Gone, SessionErrors.Expired, "this session expired before evidence arrived: open a new session");
        }

        var result = new VerificationResult();
        var selection = PcrSelectionJson.Parse(session.PcrSelection);
        var previous = await store.GetLatestAttestationAsync(session.NodeId, ct);
        QuoteVerificationResult? quote = null;
        var akName = node?.ActiveAttestationKey?.Name ?? "";
        if (node is null)
        {
            result.Fail(AttestationFailureCodes.NodeNotEnrolled, $"node '{session.NodeId}' is not enrolled with the registrar");
        }
        else if (node.ActiveAttestationKey is null || node.State != "enrolled")
        {
            result.Fail(AttestationFailureCodes.AkNotActive, $"node '{session.NodeId}' has no active attestation key (enrollment not activated, or node revoked)");
        }
        else
        {
            var ak = keys.Get(node.ActiveAttestationKey.Name, node.ActiveAttestationKey.Public);
            quote = QuoteVerifier.Verify(ak, submission.Quote, submission.Signature,
                new QuoteExpectation { Nonce = session.Nonce, Selection = selection, PcrValues = evidence.PcrValues }, profile);
            result.Merge(quote);
        }

        var quoted = QuotedValues(selection, evidence.PcrValues);
        var (verification, facts) = CheckEventLog(evidence, quoted, selection, result);
        var state = MeasuredState.Project(facts);
        var pcrs = ToApi(quoted);
        var (baseline, window) = await baselines.EvaluateAsync(session.NodeId, pcrs, state, quote, result, ct);
        var imaReplay = CheckIma(evidence, quoted, quote, previous, akName, result);
        var imaState = imaReplay is { Succeeded: true } ? imaReplay.State : null;
        CheckCounters(quote, previous, akName, result);
        var context = new AttestationContext
        {
            AttestationId = attestationId,
            NodeId = session.NodeId,
            SessionId = sessionId,
            Purpose = session.Purpose,
            Node = node,
            Quote = quote,
            QuotedPcrs = quoted,
            QuotedPcrsHex = pcrs,
            EventLog = evidence.EventLog,
            EventLogVerification = verification,
            Facts = facts,
            MeasuredState = state,
            ImaLog = evidence.ImaLog,
            ImaReplay = imaReplay,
            FirmwareWindow = window,
            Previous = previous,
            Result = result,
        };
        foreach (var check in _checks)
        {
            await check.CheckAsync(context, ct);
        }

        var verdict = result.Passed ? VerdictResults.Pass : VerdictResults.Fail;
        var trustedClock = quote is { Passed: true } ? quote.Attest?.ClockInfo : null;
        var digest = EvidenceDigest(submission);
        var row = new AttestationRow
        {
            AttestationId = attestationId,
            NodeId = session.NodeId,
            SessionId = sessionId,
            Purpose = session.Purpose,
            Verdict = verdict,
            Failures = JsonSerializer.Serialize(result.Failures.Select(ToContract)),
            Warnings = JsonSerializer.Serialize(result.Warnings),
            EvidenceDigest = digest,
            AkName = akName,
            // Counters are history only when the quote verified: a forged quote must not poison the next check.
            ResetCount = trustedClock?.ResetCount ?? 0,
            RestartCount = trustedClock?.RestartCount ?? 0,
            Clock = (long)(trustedClock?.Clock ?? 0),
            Pcrs = JsonSerializer.Serialize(pcrs),
            Facts = facts is null ? null : JsonSerializer.Serialize(facts, History.FactsJson.Options),
            ImaState = imaState is null ? null : ImaStateJson.Serialize(imaState),
            BaselineVersion = baseline,
            CreatedAt = now.ToUnixTimeMilliseconds(),
        };
        var raw = new EvidenceRow
        {
            AttestationId = attestationId,
            NodeId = session.NodeId,
            Quote = submission.Quote,
            Signature = submission.Signature,
            EventLog = submission.EventLog,
            ImaLog = submission.ImaLog,
            CreatedAt = row.CreatedAt,
        };
        await store.SaveAttestationAsync(row, raw, options.Value.Evidence.RetainPerNode, ct);

        var outcome = new Verdict(attestationId, sessionId, session.NodeId, verdict, result.Failures.Select(ToContract).ToArray(), result.Warnings, digest, baseline, now);
        foreach (var observer in _observers)
        {
            await observer.OnVerdictAsync(context, outcome, ct);
        }

        VerifierMetrics.Attestations.WithLabels(verdict).Inc();
        foreach (var failure in result.Failures)
        {
            VerifierMetrics.Failures.WithLabels(failure.Code).Inc();
        }

        VerifierMetrics.Duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        LogVerdict(logger, session.NodeId, attestationId, verdict, string.Join(",", result.Failures.Select(f => f.Code).Distinct()));
        return outcome;
    }

    /// <summary>The reported values of exactly the selected PCRs (all others are ignored: nothing vouches for them).</summary>
    private static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> QuotedValues(PcrSelection selection, PcrValues values)
    {
        var quoted = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var bank in selection.Banks)
        {
            var bankValues = new SortedDictionary<int, byte[]>();
            foreach (var index in bank.Indices)
            {
                if (values.TryGet(bank.Hash, index, out var value))
                {
                    bankValues[index] = value.ToArray();
                }
            }

            quoted[bank.Hash] = bankValues;
        }

        return quoted;
    }

    private static (EventLogVerification? Verification, BootFacts? Facts) CheckEventLog(ParsedEvidence evidence, Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted, PcrSelection selection, VerificationResult result)
    {
        if (evidence.EventLog is null)
        {
            if (selection.Banks.Any(b => b.Indices.Any(i => i <= 7)))
            {
                result.Warn("no event log was submitted: boot measurements are checked against the baseline PCR values only");
            }

            return (null, null);
        }

        // Only boot PCRs are replayed from the event log; PCR 10 belongs to IMA.
        var bootPcrs = quoted.ToDictionary(b => b.Key, b => (IReadOnlyDictionary<int, byte[]>)b.Value.Where(p => p.Key != ImaPcr).ToDictionary(p => p.Key, p => p.Value));
        var verification = EventLogVerifier.Verify(evidence.EventLog, bootPcrs);
        foreach (var failure in verification.Failures)
        {
            result.Fail(failure.Code, failure.Message,
                failure.Bank is { } bank ? $"{bank.Name()}:{failure.Pcr}" : failure.EventIndex is int e ? $"event {e}" : null,
                failure.Expected, failure.Actual);
        }

        return (verification, BootFactsExtractor.FromVerified(evidence.EventLog, verification));
    }

    private static ImaReplayResult? CheckIma(ParsedEvidence evidence, Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted, QuoteVerificationResult? quote, AttestationRow? previous, string akName, VerificationResult result)
    {
        if (evidence.ImaLog is null)
        {
            return null;
        }

        var expected = quoted.Where(b => b.Value.ContainsKey(ImaPcr))
            .ToDictionary(b => b.Key, b => (IReadOnlyDictionary<uint, byte[]>)new Dictionary<uint, byte[]> { [ImaPcr] = b.Value[ImaPcr] });
        if (expected.Count == 0)
        {
            result.Fail("ima.pcr_not_quoted", "an IMA log was submitted but PCR 10 was not quoted, so nothing vouches for it");
            return null;
        }

        // Continue from the stored state only within the same boot and AK; otherwise replay from the start.
        var start = previous is not null && quote?.Attest is { } attest && previous.ResetCount == attest.ClockInfo.ResetCount && previous.AkName == akName
            ? ImaStateJson.Deserialize(previous.ImaState)
            : null;
        if (evidence.ImaLog.FirstIndex > 0 && (start is null || start.EntryCount != evidence.ImaLog.FirstIndex))
        {
            result.Fail("ima.log_gap", $"the IMA log starts at entry {evidence.ImaLog.FirstIndex} but the verifier holds no state for it in this boot: send the whole log");
            return null;
        }

        var replay = ImaReplay.Replay(evidence.ImaLog, new ImaReplayOptions
        {
            Banks = expected.Keys.ToArray(),
            Start = start is not null && expected.Keys.All(start.HasBank) ? start : null,
            ExpectedPcrs = expected,
            AllowUnquotedTail = true,
        });
        foreach (var failure in replay.Failures)
        {
            result.Fail(failure.Code, failure.Message);
        }

        return replay;
    }

    /// <summary>
    /// Within one boot (same resetCount) the TPM clock only moves forward, and resetCount never goes back: a quote
    /// that breaks either was made earlier and is being replayed, or the TPM was cleared (Part 1 §36).
    /// </summary>
    private static void CheckCounters(QuoteVerificationResult? quote, AttestationRow? previous, string akName, VerificationResult result)
    {
        if (quote?.Attest is not { } attest || previous is null || previous.AkName != akName)
        {
            return;
        }

        var clockInfo = attest.ClockInfo;
        if (clockInfo.ResetCount < previous.ResetCount)
        {
            result.Fail(AttestationFailureCodes.ResetCountRegressed, "the TPM reset counter went back: an old quote, or the TPM was cleared",
                "resetCount", $">= {previous.ResetCount}", clockInfo.ResetCount.ToString(CultureInfo.InvariantCulture));
        }
        else if (clockInfo.ResetCount == previous.ResetCount && clockInfo.RestartCount == previous.RestartCount && (long)clockInfo.Clock < previous.Clock)
        {
            result.Fail(AttestationFailureCodes.ClockRegressed, "the TPM clock went back within one boot: an old quote is being replayed",
                "clock", $">= {previous.Clock}", clockInfo.Clock.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> ToApi(Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> quoted) =>
        quoted.ToDictionary(b => b.Key.Name(), b => (IReadOnlyDictionary<string, string>)b.Value.ToDictionary(
            p => p.Key.ToString(CultureInfo.InvariantCulture), p => Convert.ToHexStringLower(p.Value)));

    /// <summary>SHA-256 over the length-prefixed evidence parts: names what was judged without storing it.</summary>
    private static string EvidenceDigest(EvidenceSubmission submission)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var part in new[] { submission.Quote, submission.Signature, submission.EventLog ?? [], submission.ImaLog ?? [] })
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(length, part.Length);
            hash.AppendData(length);
            hash.AppendData(part);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static VerdictFailure ToContract(VerificationFailure failure) =>
        new(failure.Code, failure.Message, failure.Subject, failure.Expected, failure.Actual);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Attestation {AttestationId} of node {NodeId}: {Verdict} {Codes}")]
    private static partial void LogVerdict(ILogger logger, string nodeId, string attestationId, string verdict, string codes);
}
