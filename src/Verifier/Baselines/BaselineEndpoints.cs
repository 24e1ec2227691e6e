using System.Security.Claims;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Attest.Verifier.History;
using Attest.Verifier.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Verifier.Baselines;

/// <summary>Operators approve a trusted attestation's measurements as the node's baseline; versions are kept.</summary>
internal static partial class BaselineEndpoints
{
    public static void MapBaselineEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/nodes/{nodeId}/baselines").WithTags("Baselines");

        group.MapGet("/", async Task<Ok<IReadOnlyList<BaselineRecord>>> (string nodeId, VerifierStore store, CancellationToken ct) =>
        {
            var rows = await store.ListBaselinesAsync(NodeIds.Validate(nodeId), ct);
            return TypedResults.Ok<IReadOnlyList<BaselineRecord>>(rows.Select(ToRecord).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("A node's baseline versions, oldest first");

        group.MapPost("/", async Task<Created<BaselineRecord>> (
            string nodeId, ApproveBaselineRequest request, AttestationHistory history, VerifierStore store, TimeProvider clock,
            ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct) =>
        {
            NodeIds.Validate(nodeId);
            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            {
                throw ApiProblemException.BadRequest("request.reason_required", "a reason (1-500 characters) is required: it is kept with the baseline");
            }

            var row = await history.GetRowAsync(nodeId, request.AttestationId, ct);
            var failures = JsonSerializer.Deserialize<VerdictFailure[]>(row.Failures) ?? [];
            // Only the baseline's own findings may be outstanding: anything else means the evidence itself is untrustworthy.
            var blocking = failures.Where(f => !f.Code.StartsWith("baseline.", StringComparison.Ordinal)).ToArray();
            if (blocking.Length > 0)
            {
                throw ApiProblemException.Unprocessable("baseline.attestation_not_trusted",
                    $"attestation '{request.AttestationId}' failed checks that a baseline cannot excuse: {string.Join(", ", blocking.Select(f => f.Code).Distinct())}");
            }

            var baseline = new BaselineRow
            {
                NodeId = nodeId,
                AttestationId = row.AttestationId,
                Pcrs = row.Pcrs,
                Facts = JsonSerializer.Serialize(MeasuredState.Project(AttestationHistory.Facts(row))),
                ApprovedBy = user.Identity?.Name ?? "unknown",
                Reason = request.Reason,
                CreatedAt = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            var version = await store.AddBaselineAsync(baseline, ct);
            LogApproved(loggers.CreateLogger("Attest.Verifier.Baselines"), nodeId, version, row.AttestationId, baseline.ApprovedBy);
            var record = ToRecord(new BaselineRow
            {
                NodeId = nodeId, Version = version, AttestationId = baseline.AttestationId, Pcrs = baseline.Pcrs, Facts = baseline.Facts,
                ApprovedBy = baseline.ApprovedBy, Reason = baseline.Reason, CreatedAt = baseline.CreatedAt,
            });
            return TypedResults.Created($"/v1/nodes/{nodeId}/baselines/{version}", record);
        }).RequireAuthorization(AccessPolicies.Operate).WithSummary("Approve an attestation's measurements as the node's new baseline");
    }

    private static BaselineRecord ToRecord(BaselineRow row) => new(
        row.NodeId, (int)row.Version, row.AttestationId,
        JsonSerializer.Deserialize<Dictionary<string, IReadOnlyDictionary<string, string>>>(row.Pcrs) ?? [],
        row.ApprovedBy, row.Reason, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Baseline v{Version} of node {NodeId} approved from attestation {AttestationId} by {ApprovedBy}")]
    private static partial void LogApproved(ILogger logger, string nodeId, long version, string attestationId, string approvedBy);
}
