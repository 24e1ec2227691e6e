using Attest.Contracts.Verifier;
using Attest.Verifier.Evidence;

namespace Attest.Verifier.Notifications;

/// <summary>Sends <c>attestation.failed</c> for every failed verdict, with its failure codes.</summary>
internal sealed class FailureNotificationObserver(WebhookNotifier notifier) : IAttestationObserver
{
    public Task OnVerdictAsync(AttestationContext context, Verdict verdict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (!verdict.Passed)
        {
            notifier.Publish(NotificationTypes.AttestationFailed, verdict.NodeId, new Dictionary<string, string>
            {
                ["attestationId"] = verdict.AttestationId,
                ["sessionId"] = verdict.SessionId,
                ["codes"] = string.Join(",", verdict.Failures.Select(f => f.Code).Distinct()),
            });
        }

        return Task.CompletedTask;
    }
}
