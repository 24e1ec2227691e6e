using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.Verifier.Firmware;

internal sealed class ChangeWindowRow
{
    public string WindowId { get; init; } = "";
    public string NodeId { get; init; } = "";
    public string Components { get; init; } = "[]";
    public string TargetVersions { get; init; } = "{}";
    public string Reason { get; init; } = "";
    public string OpenedBy { get; init; } = "";
    public long OpenedAt { get; init; }
    public long ExpiresAt { get; init; }
    public long ResetCountAtOpen { get; init; }
    public string State { get; init; } = "";
    public long? ClosedAt { get; init; }
    public string? AttestationId { get; init; }
}

internal sealed class CatalogRow
{
    public string Name { get; init; } = "";
    public string Document { get; init; } = "";
    public string UploadedBy { get; init; } = "";
    public long UploadedAt { get; init; }
}

/// <summary>Change windows and uploaded firmware catalogs. A window closes once, by a conditional UPDATE.</summary>
internal sealed class FirmwareStore(Database database)
{
    private const string WindowColumns = "window_id, node_id, components, target_versions, reason, opened_by, opened_at, expires_at, reset_count_at_open, state, closed_at, attestation_id";

    public async Task InsertWindowAsync(ChangeWindowRow window, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO change_windows ({WindowColumns}) VALUES (@WindowId, @NodeId, @Components, @TargetVersions, @Reason, @OpenedBy, @OpenedAt, @ExpiresAt, @ResetCountAtOpen, @State, @ClosedAt, @AttestationId)",
            window, cancellationToken: ct));
    }

    /// <summary>The node's open, unexpired window (at most one is open at a time).</summary>
    public async Task<ChangeWindowRow?> GetOpenWindowAsync(string nodeId, long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<ChangeWindowRow>(new CommandDefinition(
            $"SELECT {WindowColumns} FROM change_windows WHERE node_id = @nodeId AND state = 'open' AND expires_at > @now ORDER BY opened_at DESC",
            new { nodeId, now }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ChangeWindowRow>> ListWindowsAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<ChangeWindowRow>(new CommandDefinition(
            $"SELECT {WindowColumns} FROM change_windows WHERE node_id = @nodeId ORDER BY opened_at DESC", new { nodeId }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>open → <paramref name="state"/> (completed, failed, cancelled); false when it was not open.</summary>
    public async Task<bool> CloseWindowAsync(string windowId, string state, string? attestationId, long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE change_windows SET state = @state, closed_at = @now, attestation_id = @attestationId WHERE window_id = @windowId AND state = 'open'",
            new { windowId, state, attestationId, now }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyList<CatalogRow>> ListCatalogsAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<CatalogRow>(new CommandDefinition(
            "SELECT name, document, uploaded_by, uploaded_at FROM firmware_catalogs ORDER BY name", cancellationToken: ct));
        return rows.AsList();
    }

    public Task SaveCatalogAsync(CatalogRow row, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM firmware_catalogs WHERE name = @Name", row, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO firmware_catalogs (name, document, uploaded_by, uploaded_at) VALUES (@Name, @Document, @UploadedBy, @UploadedAt)",
                row, transaction, cancellationToken: ct));
            return 0;
        }, ct);
}
