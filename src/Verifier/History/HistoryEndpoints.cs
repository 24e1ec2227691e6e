using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Verifier.History;

internal static class HistoryEndpoints
{
    public static void MapHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/nodes/{nodeId}/attestations").WithTags("History").RequireAuthorization(AccessPolicies.Read);

        group.MapGet("/", async Task<Ok<IReadOnlyList<AttestationRecord>>> (string nodeId, AttestationHistory history, CancellationToken ct, int limit = 50, DateTimeOffset? before = null) =>
            TypedResults.Ok(await history.ListAsync(NodeIds.Validate(nodeId), limit, before, ct)))
            .WithSummary("A node's attestations, newest first (page with ?before=)");

        group.MapGet("/{attestationId}", async Task<Ok<AttestationRecord>> (string nodeId, string attestationId, AttestationHistory history, CancellationToken ct) =>
            TypedResults.Ok(await history.GetAsync(NodeIds.Validate(nodeId), attestationId, ct)))
            .WithSummary("One attestation: verdict, failures, PCRs and boot facts");

        group.MapGet("/{from}/diff/{to}", async Task<Ok<AttestationDiff>> (string nodeId, string from, string to, AttestationHistory history, CancellationToken ct) =>
            TypedResults.Ok(await history.DiffAsync(NodeIds.Validate(nodeId), from, to, ct)))
            .WithSummary("What changed between two attestations: PCRs, firmware, Secure Boot keys, boot chain, kernel command line, IMA entries");
    }
}
