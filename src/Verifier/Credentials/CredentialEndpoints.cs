using System.Security.Claims;
using System.Text.RegularExpressions;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Flow 4: nodes redeem a fresh pass for credentials (anonymous: the attestation and the TPM-bound delivery are the
/// proof); the conductor verifies tokens; operators revoke; anyone fetches the CA, the CRL and certificate status.
/// </summary>
internal static partial class CredentialEndpoints
{
    public static void MapCredentialEndpoints(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/v1/nodes/{nodeId}/credentials").WithTags("Credentials");
        nodes.MapPost("/", async Task<Ok<IssuedCredentials>> (string nodeId, CredentialRequest request, CredentialIssuance issuance, CancellationToken ct) =>
                TypedResults.Ok(await issuance.IssueAsync(NodeIds.Validate(nodeId), request, ct)))
            .AllowAnonymous().WithSummary("Agent token (and TLS certificate from a CSR) for the node's latest, fresh, passing attestation; once per attestation");

        nodes.MapPost("/revoke", async Task<Ok<RevocationResult>> (string nodeId, RevokeCredentialsRequest request, CredentialRevocation revocation, ClaimsPrincipal user, CancellationToken ct) =>
            {
                NodeIds.Validate(nodeId);
                if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
                {
                    throw ApiProblemException.BadRequest("request.reason_required", "a reason (1-500 characters) is required: it is kept with the revocation");
                }

                var actor = $"{user.Identity?.Name ?? "unknown"}: {request.Reason}";
                var (tokens, certificates) = await revocation.RevokeNodeAsync(nodeId, RevocationReasons.Operator, actor, null, ct);
                return TypedResults.Ok(new RevocationResult(nodeId, tokens, certificates));
            })
            .RequireAuthorization(AccessPolicies.Operate).WithSummary("Revoke every token and certificate issued to the node");

        var credentials = app.MapGroup("/v1/credentials").WithTags("Credentials");
        credentials.MapPost("/tokens/verify", async Task<Ok<TokenVerification>> (VerifyTokenRequest request, AgentTokenVerifier verifier, CancellationToken ct) =>
                TypedResults.Ok(await verifier.VerifyAsync(request.Token, ct)))
            .RequireAuthorization(AccessPolicies.Operate).WithSummary("Conductor: is this agent token valid now, and whose is it?");

        credentials.MapGet("/ca", (CertificateAuthority ca) => TypedResults.Text(ca.Certificate.ExportCertificatePem(), "application/x-pem-file"))
            .AllowAnonymous().WithSummary("The agent CA certificate (PEM)");

        credentials.MapGet("/crl", async (CrlPublisher crl, CancellationToken ct) => TypedResults.Bytes(await crl.BuildAsync(ct), "application/pkix-crl"))
            .AllowAnonymous().WithSummary("The agent CA's current CRL (DER)");

        credentials.MapGet("/certificates/{serial}/status", async Task<Ok<CertificateStatus>> (string serial, CredentialStore store, TimeProvider clock, CancellationToken ct) =>
            {
                if (!SerialPattern().IsMatch(serial))
                {
                    throw ApiProblemException.BadRequest("request.serial_invalid", "serial must be 2-40 hexadecimal digits");
                }

                var row = await store.FindCertificateAsync(serial.ToLowerInvariant(), ct);
                if (row is null)
                {
                    return TypedResults.Ok(new CertificateStatus(serial, "unknown", null, null, null, null));
                }

                var status = row.State == CredentialStates.Revoked ? "revoked" : row.NotAfter <= clock.GetUtcNow().ToUnixTimeMilliseconds() ? "expired" : "good";
                return TypedResults.Ok(new CertificateStatus(row.Serial, status, row.NodeId, DateTimeOffset.FromUnixTimeMilliseconds(row.NotAfter),
                    row.RevokedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, row.RevokedReason));
            })
            .AllowAnonymous().WithSummary("OCSP-like status of an agent certificate: good, revoked, expired or unknown");
    }

    [GeneratedRegex("^[0-9A-Fa-f]{2,40}$")]
    private static partial Regex SerialPattern();
}
