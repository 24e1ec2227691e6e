using System.Security.Claims;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Attest.Verifier.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Firmware;

/// <summary>Change windows (operators, firmware-update steps) and the firmware catalog (policy authors).</summary>
internal static partial class FirmwareEndpoints
{
    public static void MapFirmwareEndpoints(this IEndpointRouteBuilder app)
    {
        var windows = app.MapGroup("/v1/nodes/{nodeId}/change-windows").WithTags("Firmware");

        windows.MapPost("/", async Task<Created<ChangeWindow>> (
            string nodeId, OpenChangeWindowRequest request, FirmwareStore firmware, VerifierStore store, IOptions<VerifierOptions> options,
            TimeProvider clock, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken ct) =>
        {
            NodeIds.Validate(nodeId);
            var components = (request.Components ?? []).Distinct(StringComparer.Ordinal).ToArray();
            if (components.Length == 0 || components.Any(c => !FirmwareComponents.All.Contains(c)))
            {
                throw ApiProblemException.BadRequest("firmware.window_invalid", $"components must be one or more of {string.Join(", ", FirmwareComponents.All)}");
            }

            if (request.TargetVersions?.Keys.Any(k => !components.Contains(k)) == true)
            {
                throw ApiProblemException.BadRequest("firmware.window_invalid", "targetVersions may only name components the window opens");
            }

            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            {
                throw ApiProblemException.BadRequest("request.reason_required", "a reason (1-500 characters) is required: it is kept with the window and the new baseline");
            }

            var now = clock.GetUtcNow();
            if (await firmware.GetOpenWindowAsync(nodeId, now.ToUnixTimeMilliseconds(), ct) is { } open)
            {
                throw ApiProblemException.Conflict("firmware.window_already_open", $"node '{nodeId}' already has open change window {open.WindowId}: close it first");
            }

            var settings = options.Value.Firmware;
            var lifetime = request.ExpiresInMinutes is int minutes and > 0
                ? TimeSpan.FromMinutes(Math.Min(minutes, settings.MaxWindowLifetime.TotalMinutes))
                : settings.DefaultWindowLifetime;
            var latest = await store.GetLatestAttestationAsync(nodeId, ct);
            var row = new ChangeWindowRow
            {
                WindowId = Guid.NewGuid().ToString("N"),
                NodeId = nodeId,
                Components = JsonSerializer.Serialize(components),
                TargetVersions = JsonSerializer.Serialize(request.TargetVersions ?? new Dictionary<string, string>()),
                Reason = request.Reason,
                OpenedBy = user.Identity?.Name ?? "unknown",
                OpenedAt = now.ToUnixTimeMilliseconds(),
                ExpiresAt = (now + lifetime).ToUnixTimeMilliseconds(),
                ResetCountAtOpen = latest?.ResetCount ?? 0,
                State = "open",
            };
            await firmware.InsertWindowAsync(row, ct);
            LogOpened(loggers.CreateLogger("Attest.Verifier.Firmware"), nodeId, row.WindowId, string.Join(",", components), row.OpenedBy, request.Reason);
            return TypedResults.Created($"/v1/nodes/{nodeId}/change-windows/{row.WindowId}", ToContract(row, now));
        }).RequireAuthorization(AccessPolicies.Operate).WithSummary("Open a change window: these firmware components may change on the next boot");

        windows.MapGet("/", async Task<Ok<IReadOnlyList<ChangeWindow>>> (string nodeId, FirmwareStore firmware, TimeProvider clock, CancellationToken ct) =>
        {
            var rows = await firmware.ListWindowsAsync(NodeIds.Validate(nodeId), ct);
            return TypedResults.Ok<IReadOnlyList<ChangeWindow>>(rows.Select(r => ToContract(r, clock.GetUtcNow())).ToArray());
        }).RequireAuthorization(AccessPolicies.Read).WithSummary("A node's change windows, newest first");

        windows.MapDelete("/{windowId}", async Task<NoContent> (string nodeId, string windowId, FirmwareStore firmware, TimeProvider clock, CancellationToken ct) =>
        {
            NodeIds.Validate(nodeId);
            if (!await firmware.CloseWindowAsync(windowId, "cancelled", null, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct))
            {
                throw ApiProblemException.NotFound("firmware.window_not_open", $"no open change window '{windowId}' for node '{nodeId}'");
            }

            return TypedResults.NoContent();
        }).RequireAuthorization(AccessPolicies.Operate).WithSummary("Close (cancel) an open change window");

        var catalog = app.MapGroup("/v1/firmware/catalogs").WithTags("Firmware");

        catalog.MapGet("/", (FirmwareCatalog firmwareCatalog) => TypedResults.Ok(firmwareCatalog.Documents.ToArray()))
            .RequireAuthorization(AccessPolicies.Read).WithSummary("Every loaded catalog (files and uploads)");

        catalog.MapPut("/{name}", async Task<Ok<FirmwareCatalogDocument>> (
            string name, HttpRequest http, FirmwareStore firmware, FirmwareCatalog firmwareCatalog, TimeProvider clock, ClaimsPrincipal user, CancellationToken ct) =>
        {
            using var reader = new StreamReader(http.Body);
            var text = await reader.ReadToEndAsync(ct);
            var (document, problems) = FirmwareCatalog.Parse(text);
            if (document is null || problems.Count > 0)
            {
                throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "firmware.catalog_invalid",
                    string.Join("; ", problems), new Dictionary<string, object?> { ["problems"] = problems });
            }

            if (document.Name != name)
            {
                throw ApiProblemException.BadRequest("firmware.catalog_invalid", $"the document is named '{document.Name}', not '{name}'");
            }

            await firmware.SaveCatalogAsync(new CatalogRow { Name = name, Document = text, UploadedBy = user.Identity?.Name ?? "unknown", UploadedAt = clock.GetUtcNow().ToUnixTimeMilliseconds() }, ct);
            await firmwareCatalog.RefreshAsync(ct);
            return TypedResults.Ok(document);
        }).RequireAuthorization(AccessPolicies.AuthorPolicy).Accepts<string>("application/yaml", "application/json", "text/plain")
          .WithSummary("Upload (replace) a firmware catalog document (YAML or JSON); validated, refused whole when invalid");
    }

    private static ChangeWindow ToContract(ChangeWindowRow row, DateTimeOffset now) => new(
        row.WindowId,
        row.NodeId,
        JsonSerializer.Deserialize<string[]>(row.Components) ?? [],
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.TargetVersions) ?? [],
        row.Reason,
        row.OpenedBy,
        DateTimeOffset.FromUnixTimeMilliseconds(row.OpenedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
        row.ResetCountAtOpen,
        row.State == "open" && row.ExpiresAt <= now.ToUnixTimeMilliseconds() ? "expired" : row.State,
        row.ClosedAt is long closed ? DateTimeOffset.FromUnixTimeMilliseconds(closed) : null,
        row.AttestationId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Change window {WindowId} opened for node {NodeId} ({Components}) by {OpenedBy}: {Reason}")]
    private static partial void LogOpened(ILogger logger, string nodeId, string windowId, string components, string openedBy, string reason);
}
