using Attest.Contracts.Verifier;
using Attest.Verifier.Evidence;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Revokes a node's credentials when it fails attestation, and those bound to an older AK when it attests with a new
/// one (re-enrollment): a credential must never outlive the evidence it was issued on.
/// </summary>
internal sealed class RevocationObserver(CredentialRevocation revocation) : IAttestationObserver
{
    public async Task OnVerdictAsync(AttestationContext context, Verdict verdict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(verdict);
        // The verdict is already recorded: revocation must happen even if the caller has gone away.
        if (!verdict.Passed)
        {
            await revocation.RevokeNodeAsync(context.NodeId, RevocationReasons.AttestationFailed, $"attestation {verdict.AttestationId}", null, CancellationToken.None);
        }
        else if (context.Node?.ActiveAttestationKey?.Name is { } akName)
        {
            await revocation.RevokeNodeAsync(context.NodeId, RevocationReasons.NodeReenrolled, $"attestation {verdict.AttestationId}", akName, CancellationToken.None);
        }
    }
}
