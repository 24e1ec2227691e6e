using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Attest.Contracts.Verifier;
using Attest.Policies.Documents;
using Attest.Policies.Loading;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Verifier.Policies;

/// <summary>
/// The policy lifecycle: upload (validated; a failed upload changes nothing), revisions, activate/rollback, bindings to
/// nodes, node groups, the audit trail, and dry-runs. Authors change policies; everyone who may read may look.
/// </summary>
internal static partial class PolicyEndpoints
{
    public static void MapPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup("/v1/policies").WithTags("Policies");
        policies.MapGet("/", async Task<Ok<IReadOnlyList<PolicySummary>>> (PolicyStore store, CancellationToken ct) =>
        {
            var rows = await store.ListAsync(ct);
            return TypedResults.Ok<IReadOnlyList<PolicySummary>>(rows.Select(r => new PolicySummary(r.Name, r.Kind, (int?)r.ActiveRevision, (int)r.LatestRevision,
                DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt))).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("Every policy with its active and latest revision");

        policies.MapPost("/", async Task<Created<PolicyRevisionRecord>> (UploadPolicyRequest request, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var policy = Validate(request.Document, request.FileName);
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var row = new PolicyRevisionRow
            {
                Name = policy.Name, Kind = policy.Kind, Version = policy.Version, Description = policy.Description, Document = request.Document,
                FileName = policy.FileName, Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Document))),
                UploadedBy = Actor(user), CreatedAt = now,
            };
            var revision = await Concurrently(() => store.AddRevisionAsync(row, request.Activate, Audit(user, now, request.Activate ? "upload+activate" : "upload", policy.Name, null,
                $"version {policy.Version}, sha256 {row.Sha256}{Reason(request.Reason)}"), ct))
                ?? throw ApiProblemException.Conflict(PolicyErrors.KindChanged, $"policy '{policy.Name}' exists with another kind; a name keeps its kind: choose another name");
            LogChanged(loggers.CreateLogger("Attest.Verifier.Policies"), request.Activate ? "uploaded and activated" : "uploaded", policy.Name, revision, row.UploadedBy);
            var stored = await store.GetRevisionAsync(policy.Name, revision, ct);
            return TypedResults.Created($"/v1/policies/{policy.Name}/revisions/{revision}", ToRecord(stored!));
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Upload a policy document as the next revision of the policy it names");

        policies.MapPost("/validate", (UploadPolicyRequest request) =>
        {
            var policy = Validate(request.Document, request.FileName);
            return TypedResults.Ok(new { policy.Name, policy.Kind, policy.Version, valid = true });
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("Validate a document without storing it");

        policies.MapGet("/{name}", async Task<Ok<IReadOnlyList<PolicyRevisionRecord>>> (string name, PolicyStore store, CancellationToken ct) =>
        {
            var rows = await store.ListRevisionsAsync(Name(name), ct);
            return rows.Count == 0 ? throw NotFound(name) : TypedResults.Ok<IReadOnlyList<PolicyRevisionRecord>>(rows.Select(ToRecord).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("A policy's revisions, oldest first");

        policies.MapGet("/{name}/revisions/{revision:int}", async Task<Ok<PolicyDocumentRecord>> (string name, int revision, PolicyStore store, CancellationToken ct) =>
        {
            var row = await store.GetRevisionAsync(Name(name), revision, ct) ?? throw RevisionNotFound(name, revision);
            return TypedResults.Ok(new PolicyDocumentRecord(ToRecord(row), row.Document));
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("One revision with its document as uploaded");

        policies.MapPost("/{name}/activate", async Task<Ok<PolicyRevisionRecord>> (string name, ActivatePolicyRequest request, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (!await store.ActivateAsync(Name(name), request.Revision, Audit(user, now, "activate", name, request.Revision, $"revision {request.Revision}{Reason(request.Reason)}"), ct))
            {
                throw RevisionNotFound(name, request.Revision);
            }

            LogChanged(loggers.CreateLogger("Attest.Verifier.Policies"), "activated", name, request.Revision, Actor(user));
            return TypedResults.Ok(ToRecord((await store.GetRevisionAsync(name, request.Revision, ct))!));
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Make a revision the active one");

        policies.MapPost("/{name}/rollback", async Task<Ok<PolicyRevisionRecord>> (string name, RollbackPolicyRequest request, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var revisions = await store.ListRevisionsAsync(Name(name), ct);
            var active = revisions.FirstOrDefault()?.ActiveRevision ?? throw ApiProblemException.Conflict(PolicyErrors.NothingToRollBack, $"policy '{name}' has no active revision");
            var previous = revisions.Where(r => r.Revision < active).Select(r => (long?)r.Revision).LastOrDefault()
                ?? throw ApiProblemException.Conflict(PolicyErrors.NothingToRollBack, $"revision {active} of '{name}' is the first: there is nothing to roll back to");
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            await store.ActivateAsync(name, previous, Audit(user, now, "rollback", name, previous, $"from revision {active} to {previous}{Reason(request.Reason)}"), ct);
            LogChanged(loggers.CreateLogger("Attest.Verifier.Policies"), "rolled back", name, previous, Actor(user));
            return TypedResults.Ok(ToRecord((await store.GetRevisionAsync(name, previous, ct))!));
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Activate the revision before the active one");

        policies.MapPost("/dry-run", async Task<Ok<DryRunReport>> (DryRunRequest request, PolicyDryRun dryRun, CancellationToken ct) =>
        {
            var policy = Validate(request.Document, request.FileName);
            var lastN = Math.Clamp(request.LastN ?? PolicyDryRun.DefaultLastN, 1, PolicyDryRun.MaxLastN);
            foreach (var node in request.Nodes ?? [])
            {
                NodeIds.Validate(node);
            }

            return TypedResults.Ok(await dryRun.RunAsync(policy, request.Nodes, lastN, ct));
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Judge a candidate policy against the stored evidence of recent attestations: what would it break?");

        policies.MapGet("/audit", async Task<Ok<IReadOnlyList<PolicyAuditRecord>>> (string? policy, int? limit, PolicyStore store, CancellationToken ct) =>
        {
            var rows = await store.AuditTrailAsync(policy is null ? null : Name(policy), Math.Clamp(limit ?? 100, 1, 1000), ct);
            return TypedResults.Ok<IReadOnlyList<PolicyAuditRecord>>(rows.Select(r => new PolicyAuditRecord(r.AuditId, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.Actor, r.Action, r.Name, (int?)r.Revision, r.Detail)).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("Who changed which policy, binding or group, and when (newest first)");

        MapBindings(app);
    }

    private static void MapBindings(IEndpointRouteBuilder app)
    {
        var bindings = app.MapGroup("/v1/policy-bindings").WithTags("Policies");
        bindings.MapGet("/", async Task<Ok<IReadOnlyList<PolicyBindingRecord>>> (string? policy, PolicyStore store, CancellationToken ct) =>
            TypedResults.Ok<IReadOnlyList<PolicyBindingRecord>>((await store.ListBindingsAsync(policy, ct)).Select(ToRecord).ToArray()))
            .RequireAuthorization(AccessPolicies.Read).WithSummary("Bindings of policies to nodes, groups or every node");

        bindings.MapPost("/", async Task<Created<PolicyBindingRecord>> (PolicyBindingRequest request, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var name = Name(request.Policy);
            if ((await store.ListRevisionsAsync(name, ct)).Count == 0)
            {
                throw NotFound(name);
            }

            var value = request.Selector switch
            {
                PolicySelectors.Node => NodeIds.Validate(request.Value),
                PolicySelectors.Group => Group(request.Value),
                PolicySelectors.Default => "*",
                _ => throw ApiProblemException.BadRequest(PolicyErrors.SelectorInvalid, "selector must be node, group or default"),
            };
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var row = new PolicyBindingRow { BindingId = Guid.NewGuid().ToString("N"), Name = name, Selector = request.Selector, Value = value, CreatedBy = Actor(user), CreatedAt = now };
            if ((await store.ListBindingsAsync(name, ct)).Any(b => b.Selector == row.Selector && b.Value == value))
            {
                throw ApiProblemException.Conflict(PolicyErrors.BindingExists, $"policy '{name}' is already bound to {request.Selector} {value}");
            }

            await Concurrently(async () =>
            {
                await store.AddBindingAsync(row, Audit(user, now, "bind", name, null, $"{request.Selector} {value}"), ct);
                return 0;
            });
            return TypedResults.Created($"/v1/policy-bindings/{row.BindingId}", ToRecord(row));
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Bind a policy to a node, a node group, or every node");

        bindings.MapDelete("/{id}", async Task<NoContent> (string id, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var binding = (await store.ListBindingsAsync(null, ct)).FirstOrDefault(b => b.BindingId == id)
                ?? throw ApiProblemException.NotFound(PolicyErrors.BindingNotFound, $"no binding '{id}'");
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (!await store.DeleteBindingAsync(id, Audit(user, now, "unbind", binding.Name, null, $"{binding.Selector} {binding.Value}"), ct))
            {
                throw ApiProblemException.NotFound(PolicyErrors.BindingNotFound, $"no binding '{id}'");
            }

            return TypedResults.NoContent();
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).WithSummary("Remove a binding");

        var groups = app.MapGroup("/v1/nodes/{nodeId}/groups").WithTags("Policies");
        groups.MapGet("/", async Task<Ok<NodeGroupsRecord>> (string nodeId, PolicyStore store, CancellationToken ct) =>
            TypedResults.Ok(new NodeGroupsRecord(nodeId, await store.GroupsAsync(NodeIds.Validate(nodeId), ct))))
            .RequireAuthorization(AccessPolicies.Read).WithSummary("The groups a node belongs to");
        groups.MapPut("/", async Task<Ok<NodeGroupsRecord>> (string nodeId, NodeGroupsRequest request, PolicyStore store, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct) =>
        {
            NodeIds.Validate(nodeId);
            var list = (request.Groups ?? []).Select(Group).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            await store.SetGroupsAsync(nodeId, list, Audit(user, now, "groups", null, null, $"node {nodeId}: [{string.Join(", ", list)}]"), ct);
            return TypedResults.Ok(new NodeGroupsRecord(nodeId, list));
        }).RequireAuthorization(AccessPolicies.Operate).WithSummary("Set the groups a node belongs to (replaces them)");
    }

    /// <summary>
    /// Two authors uploading (or binding) at once both compute the same next revision; the primary key lets one win and
    /// the other's transaction roll back whole. The loser is told to retry rather than shown a 500.
    /// </summary>
    private static async Task<T> Concurrently<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (System.Data.Common.DbException ex) when (ex is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } || ex.SqlState == "23505")
        {
            // SQLITE_CONSTRAINT / PostgreSQL unique_violation: only a lost race, never an outage, becomes a 409.
            throw ApiProblemException.Conflict(PolicyErrors.ConcurrentChange, "another change to this policy was made at the same moment: nothing was stored; retry");
        }
    }

    /// <summary>Loads and validates; a failure is a 422 carrying every error with its line and path, and nothing is stored.</summary>
    private static Policy Validate(string? document, string? fileName)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            throw ApiProblemException.BadRequest(PolicyErrors.DocumentRequired, "document (the policy's YAML or JSON text) is required");
        }

        var name = string.IsNullOrWhiteSpace(fileName) || fileName.Length > 200 ? "policy.yaml" : Path.GetFileName(fileName);
        var result = PolicyLoader.Load(document, name);
        if (result.Policy is { } policy)
        {
            return policy;
        }

        var errors = result.Errors.Select(e => new PolicyValidationError(e.Code, e.Message, e.Path, e.Line, e.Column)).ToArray();
        throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, PolicyErrors.Invalid,
            $"the policy is not valid: {string.Join("; ", result.Errors.Take(5).Select(e => $"{name}:{e}"))}", new Dictionary<string, object?> { ["errors"] = errors });
    }

    private static string Name(string? name) => name is not null && NamePattern().IsMatch(name) ? name
        : throw ApiProblemException.BadRequest(PolicyErrors.NameInvalid, "a policy name is 1-64 characters: lowercase letters, digits, '.', '_' or '-'");

    private static string Group(string? group) => group is not null && NamePattern().IsMatch(group) ? group
        : throw ApiProblemException.BadRequest(PolicyErrors.GroupInvalid, "a group name is 1-64 characters: lowercase letters, digits, '.', '_' or '-'");

    private static ApiProblemException NotFound(string name) => ApiProblemException.NotFound(PolicyErrors.NotFound, $"no policy '{name}'");

    private static ApiProblemException RevisionNotFound(string name, long revision) => ApiProblemException.NotFound(PolicyErrors.RevisionNotFound, $"policy '{name}' has no revision {revision}");

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static string Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? "" : $"; reason: {reason[..Math.Min(reason.Length, 500)]}";

    private static PolicyAuditRow Audit(ClaimsPrincipal user, long now, string action, string? name, long? revision, string detail) =>
        new() { AuditId = Guid.NewGuid().ToString("N"), At = now, Actor = Actor(user), Action = action, Name = name, Revision = revision, Detail = detail };

    private static PolicyRevisionRecord ToRecord(PolicyRevisionRow r) => new(r.Name, (int)r.Revision, r.Kind, r.Version, r.Description, r.FileName, r.Sha256, r.UploadedBy,
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), r.ActiveRevision == r.Revision);

    private static PolicyBindingRecord ToRecord(PolicyBindingRow b) => new(b.BindingId, b.Name, b.Selector, b.Value, b.CreatedBy, DateTimeOffset.FromUnixTimeMilliseconds(b.CreatedAt));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Policy {Name} revision {Revision} {Change} by {Actor}")]
    private static partial void LogChanged(ILogger logger, string change, string name, long revision, string actor);
}
