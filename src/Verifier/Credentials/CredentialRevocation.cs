using System.Globalization;
using Attest.Contracts.Verifier;
using Attest.Verifier.Notifications;

namespace Attest.Verifier.Credentials;

/// <summary>Why credentials were revoked (stored with them, sent in notifications, written to the CRL as a reason).</summary>
internal static class RevocationReasons
{
    public const string AttestationFailed = "attestation_failed";
    public const string NodeReenrolled = "node_reenrolled";
    public const string Operator = "operator";
}

/// <summary>Revokes what was issued to a node: tokens stop verifying at once; certificates go on the next CRL.</summary>
internal sealed partial class CredentialRevocation(CredentialStore store, WebhookNotifier notifier, TimeProvider clock, ILogger<CredentialRevocation> logger)
{
    /// <param name="keepAkName">Re-enrollment: revoke only what was bound to an AK other than this one.</param>
    public async Task<(int Tokens, int Certificates)> RevokeNodeAsync(string nodeId, string reason, string actor, string? keepAkName, CancellationToken ct)
    {
        var counts = await store.RevokeNodeAsync(nodeId, reason, clock.GetUtcNow().ToUnixTimeMilliseconds(), keepAkName, ct);
        if (counts.Tokens + counts.Certificates > 0)
        {
            LogRevoked(logger, nodeId, counts.Tokens, counts.Certificates, reason, actor);
            notifier.Publish(NotificationTypes.CredentialsRevoked, nodeId, new Dictionary<string, string>
            {
                ["reason"] = reason,
                ["actor"] = actor,
                ["tokens"] = counts.Tokens.ToString(CultureInfo.InvariantCulture),
                ["certificates"] = counts.Certificates.ToString(CultureInfo.InvariantCulture),
            });
        }

        return counts;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Credentials of node {NodeId} revoked: {Tokens} token(s), {Certificates} certificate(s), reason {Reason}, by {Actor}")]
    private static partial void LogRevoked(ILogger logger, string nodeId, int tokens, int certificates, string reason, string actor);
}
