using Attest.Contracts.Verifier;
using Attest.Verifier.Registry;

namespace Attest.Verifier.Credentials;

/// <summary>The conductor's question "is this agent token good now?": known, active, unexpired, and its AK still the node's.</summary>
internal sealed class AgentTokenVerifier(CredentialStore store, RegistrarClient registrar, CredentialRevocation revocation, TimeProvider clock)
{
    public async Task<TokenVerification> VerifyAsync(string token, CancellationToken ct)
    {
        var row = await store.FindTokenAsync(AgentTokens.Hash(token ?? ""), ct);
        if (row is null)
        {
            return new TokenVerification(false, "token.unknown", null, null, null, null);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt);
        if (row.State == CredentialStates.Revoked)
        {
            return Invalid("token.revoked");
        }

        if (clock.GetUtcNow() >= expiresAt)
        {
            return Invalid("token.expired");
        }

        // A re-enrollment at the registrar invalidates the token at once, before the node's next attestation.
        var node = await registrar.GetNodeAsync(row.NodeId, ct);
        if (node?.ActiveAttestationKey?.Name != row.AkName || node.State != "enrolled")
        {
            await revocation.RevokeNodeAsync(row.NodeId, RevocationReasons.NodeReenrolled, "token verification", node?.ActiveAttestationKey?.Name ?? "", ct);
            return Invalid("token.revoked");
        }

        return new TokenVerification(true, null, row.NodeId, row.TokenId, row.AttestationId, expiresAt);

        TokenVerification Invalid(string reason) => new(false, reason, row.NodeId, row.TokenId, row.AttestationId, expiresAt);
    }
}
