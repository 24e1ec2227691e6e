using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Verifier.Evidence;
using Attest.Verifier.Storage;

namespace Attest.Verifier.Firmware;

/// <summary>
/// Closes a change window on the first fresh attestation that uses it: on a pass the node's baseline moves to the
/// new measurements (a new version, approved by whoever opened the window, for its reason); on a failure the window
/// closes as failed and the baseline stays.
/// </summary>
internal sealed partial class ChangeWindowObserver(FirmwareStore firmware, VerifierStore store, TimeProvider clock, ILogger<ChangeWindowObserver> logger) : IAttestationObserver
{
    public async Task OnVerdictAsync(AttestationContext context, Verdict verdict, CancellationToken cancellationToken)
    {
        if (context.FirmwareWindow is not { Fresh: true } window)
        {
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (!await firmware.CloseWindowAsync(window.WindowId, verdict.Passed ? "completed" : "failed", context.AttestationId, now, cancellationToken))
        {
            return; // closed meanwhile (cancelled, or another attestation used it)
        }

        if (!verdict.Passed)
        {
            LogWindowFailed(logger, context.NodeId, window.WindowId, string.Join(",", verdict.Failures.Select(f => f.Code).Distinct()));
            return;
        }

        var version = await store.AddBaselineAsync(new BaselineRow
        {
            NodeId = context.NodeId,
            AttestationId = context.AttestationId,
            Pcrs = JsonSerializer.Serialize(context.QuotedPcrsHex),
            Facts = JsonSerializer.Serialize(context.MeasuredState),
            ApprovedBy = window.OpenedBy,
            Reason = $"firmware update, change window {window.WindowId} ({window.Reason}): {string.Join("; ", window.Transitions)}",
            CreatedAt = now,
        }, cancellationToken);
        LogRebaselined(logger, context.NodeId, version, window.WindowId, string.Join("; ", window.Transitions));
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Node {NodeId} re-baselined to v{Version} by change window {WindowId}: {Transitions}")]
    private static partial void LogRebaselined(ILogger logger, string nodeId, long version, string windowId, string transitions);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Change window {WindowId} of node {NodeId} closed as failed: {Codes}")]
    private static partial void LogWindowFailed(ILogger logger, string nodeId, string windowId, string codes);
}
