using System.Security.Claims;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Attest.Verifier.Evidence;
using Attest.Verifier.History;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Verifier.Sessions;

/// <summary>
/// Sessions and evidence. Nodes open sessions and push evidence without an API key — the quote signature under
/// their registered AK is what counts. The verdict is read by the party that acts on it (operator role): a node's
/// own report of a pass is never trusted.
/// </summary>
internal static class SessionEndpoints
{
    public static void MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var maxEvidence = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<VerifierOptions>>().Value.MaxEvidenceBytes;
        app.MapPost("/v1/nodes/{nodeId}/sessions", async Task<Created<AttestationSession>> (
            string nodeId, OpenSessionRequest? request, SessionService sessions, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var opener = user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? "operator" : "node";
            var session = await sessions.OpenAsync(NodeIds.Validate(nodeId), request ?? new OpenSessionRequest(), opener, ct);
            VerifierMetrics.SessionsOpened.Inc();
            return TypedResults.Created($"/v1/sessions/{session.SessionId}", session);
        }).AllowAnonymous().WithTags("Sessions").WithSummary("Open an attestation session: a fresh nonce and the PCRs to quote");

        app.MapGet("/v1/sessions/{sessionId}", async Task<Ok<AttestationSession>> (string sessionId, SessionService sessions, CancellationToken ct) =>
            TypedResults.Ok(await sessions.GetAsync(sessionId, ct)))
            .AllowAnonymous().WithTags("Sessions")
            .WithSummary("A session's nonce, PCRs and state (a node fetches the session its conductor opened; nothing here is secret)");

        app.MapPost("/v1/sessions/{sessionId}/evidence", async Task<Ok<Verdict>> (string sessionId, EvidenceSubmission submission, AttestationPipeline pipeline, CancellationToken ct) =>
            TypedResults.Ok(await pipeline.SubmitAsync(sessionId, submission, ct)))
            .AllowAnonymous().WithTags("Sessions")
            .WithSummary("Submit quote, PCR values, event log and IMA log; uses the session's nonce once")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(maxEvidence))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone);

        app.MapGet("/v1/sessions/{sessionId}/verdict", async Task<Ok<Verdict>> (string sessionId, AttestationHistory history, CancellationToken ct) =>
            TypedResults.Ok(await history.GetVerdictForSessionAsync(sessionId, ct)))
            .RequireAuthorization(AccessPolicies.Read).WithTags("Sessions")
            .WithSummary("The verifier's verdict for a session (what a conductor-side step acts on)");
    }
}
