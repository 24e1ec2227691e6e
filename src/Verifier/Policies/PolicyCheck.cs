using Attest.Policies.Evaluation;
using Attest.Verifier.Evidence;

namespace Attest.Verifier.Policies;

/// <summary>
/// Runs the node's active bound policies on what the pipeline proved (verified events, their facts, IMA entries up to
/// the replayed state) and adds each finding as a failure with the policy's code, the rule and its file position,
/// the event, and expected vs actual.
/// </summary>
internal sealed partial class PolicyCheck(PolicyStore store, PolicyCache cache, Attest.Policies.Evaluation.IFirmwareCatalog firmwareCatalog, ILogger<PolicyCheck> logger) : IAttestationCheck
{
    public int Order => 100;

    public async Task CheckAsync(AttestationContext context, CancellationToken cancellationToken)
    {
        var rows = await store.ActiveForNodeAsync(context.NodeId, cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }

        var evidence = new PolicyEvidence
        {
            QuotedPcrs = context.QuotedPcrs,
            EventLog = context.EventLogVerification,
            Facts = context.Facts,
            ImaLog = context.ImaLog,
            ImaProvenCount = context.ImaReplay is { Succeeded: true } replay ? replay.State.EntryCount : 0,
        };
        var policies = new List<Attest.Policies.Documents.Policy>();
        foreach (var row in rows)
        {
            try
            {
                policies.Add(cache.Get(row));
            }
            catch (InvalidOperationException ex)
            {
                // Fail closed: judging the node by the remaining policies would silently drop rules.
                context.Result.Fail(PolicyFailureCodes.Unavailable, ex.Message, $"{row.Name}@r{row.Revision}");
            }
        }

        var verdict = PolicyEvaluator.Evaluate(policies, evidence, firmwareCatalog);
        foreach (var finding in verdict.Findings)
        {
            context.Result.Fail(finding.Code, finding.Message, finding.Subject, finding.Expected, finding.Actual);
        }

        LogEvaluated(logger, context.NodeId, context.AttestationId, string.Join(",", rows.Select(r => $"{r.Name}@r{r.Revision}")), verdict.Findings.Count);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Policies {Policies} evaluated for node {NodeId} attestation {AttestationId}: {Findings} finding(s)")]
    private static partial void LogEvaluated(ILogger logger, string nodeId, string attestationId, string policies, int findings);
}
