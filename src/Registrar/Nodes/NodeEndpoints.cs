using System.Security.Claims;
using System.Text.Json;
using Attest.Contracts.Registrar;
using Attest.Registrar.Storage;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Attest.Registrar.Nodes;

/// <summary>What operators, auditors and the verifier read about nodes, and the operator's EK replacement.</summary>
internal static class NodeEndpoints
{
    public static void MapNodeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/nodes").WithTags("Nodes");

        group.MapGet("/", async Task<Ok<IReadOnlyList<NodeRecord>>> (RegistrarStore store, CancellationToken ct, int limit = 100, string? after = null) =>
        {
            var rows = await store.ListNodesAsync(Math.Clamp(limit, 1, 1000), after, ct);
            var records = new List<NodeRecord>(rows.Count);
            foreach (var row in rows)
            {
                records.Add(ToRecord(row, await store.GetActiveAttestationKeyAsync(row.NodeId, ct)));
            }

            return TypedResults.Ok<IReadOnlyList<NodeRecord>>(records);
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("List enrolled nodes (paged by node id)");

        group.MapGet("/{nodeId}", async Task<Ok<NodeRecord>> (string nodeId, RegistrarStore store, CancellationToken ct) =>
        {
            var row = await store.GetNodeAsync(NodeIds.Validate(nodeId), ct) ?? throw NotFound(nodeId);
            return TypedResults.Ok(ToRecord(row, await store.GetActiveAttestationKeyAsync(nodeId, ct)));
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("A node's EK, certificate summary and active AK");

        group.MapGet("/{nodeId}/events", async Task<Ok<IReadOnlyList<NodeEvent>>> (string nodeId, RegistrarStore store, CancellationToken ct) =>
        {
            _ = await store.GetNodeAsync(NodeIds.Validate(nodeId), ct) ?? throw NotFound(nodeId);
            var events = await store.GetEventsAsync(nodeId, ct);
            return TypedResults.Ok<IReadOnlyList<NodeEvent>>(events.Select(e => new NodeEvent(e.Kind, e.Actor, e.Detail, DateTimeOffset.FromUnixTimeMilliseconds(e.At))).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("A node's audit trail");

        group.MapPost("/{nodeId}/ek-replacement", async Task<NoContent> (
            string nodeId, EkReplacementRequest request, RegistrarStore store, TimeProvider clock, IOptions<RegistrarOptions> options, ClaimsPrincipal user, CancellationToken ct) =>
        {
            _ = await store.GetNodeAsync(NodeIds.Validate(nodeId), ct) ?? throw NotFound(nodeId);
            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            {
                throw ApiProblemException.BadRequest("request.reason_required", "a reason (1-500 characters) is required: it is kept in the node's audit trail");
            }

            var now = clock.GetUtcNow();
            var lifetime = request.ValidForMinutes is int minutes and > 0 and <= 43200 ? TimeSpan.FromMinutes(minutes) : options.Value.EkReplacementLifetime;
            await store.AllowEkReplacementAsync(nodeId, user.Identity?.Name ?? "unknown", request.Reason, (now + lifetime).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(AccessPolicies.Operate).WithSummary("Allow the node's next enrollment to bring a different EK (hardware swap)");
    }

    private static ApiProblemException NotFound(string nodeId) => ApiProblemException.NotFound("node.not_found", $"node '{nodeId}' is not enrolled");

    private static NodeRecord ToRecord(NodeRow row, AttestationKeyRow? ak) => new(
        row.NodeId,
        row.State,
        row.SystemUuid,
        row.Serial,
        row.EkPublic,
        row.EkName,
        row.EkSummary is null ? null : JsonSerializer.Deserialize<EkCertificateSummary>(row.EkSummary),
        ak is null ? null : new AttestationKeyRecord(ak.EnrollmentId, ak.AkName, ak.AkPublic, ak.State,
            DateTimeOffset.FromUnixTimeMilliseconds(ak.CreatedAt), ak.ActivatedAt is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null),
        DateTimeOffset.FromUnixTimeMilliseconds(row.EnrolledAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
}
