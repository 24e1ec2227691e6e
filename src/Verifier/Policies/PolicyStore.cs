using System.Data.Common;
using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.Verifier.Policies;

/// <summary>
/// The policy tables. Every change and its audit record are written in one transaction, so the trail cannot miss a
/// change; a change that fails leaves nothing behind.
/// </summary>
internal sealed class PolicyStore(Database database)
{
    private const string RevisionColumns = "r.name, r.revision, r.kind, r.version, r.description, r.document, r.file_name, r.sha256, r.uploaded_by, r.created_at, p.active_revision";
    private const string BindingColumns = "binding_id, name, selector, value, created_by, created_at";

    /// <summary>Adds the next revision (and the policy on first upload); null when the name already holds another kind.</summary>
    public Task<long?> AddRevisionAsync(PolicyRevisionRow revision, bool activate, PolicyAuditRow audit, CancellationToken ct) =>
        database.InTransactionAsync<long?>(async (connection, tx) =>
        {
            // ON CONFLICT DO NOTHING is accepted by SQLite (3.24+) and PostgreSQL alike.
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO policies (name, kind, active_revision, updated_at) VALUES (@Name, @Kind, NULL, @CreatedAt) ON CONFLICT (name) DO NOTHING",
                revision, tx, cancellationToken: ct));
            var kind = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT kind FROM policies WHERE name = @Name", revision, tx, cancellationToken: ct));
            if (kind != revision.Kind)
            {
                return null;
            }

            var next = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM policy_revisions WHERE name = @Name", revision, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO policy_revisions (name, revision, kind, version, description, document, file_name, sha256, uploaded_by, created_at)
                VALUES (@Name, @next, @Kind, @Version, @Description, @Document, @FileName, @Sha256, @UploadedBy, @CreatedAt)
                """,
                new { revision.Name, next = (int)next, revision.Kind, revision.Version, revision.Description, revision.Document, revision.FileName, revision.Sha256, revision.UploadedBy, revision.CreatedAt },
                tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                activate ? "UPDATE policies SET active_revision = @next, updated_at = @CreatedAt WHERE name = @Name" : "UPDATE policies SET updated_at = @CreatedAt WHERE name = @Name",
                new { next = (int)next, revision.Name, revision.CreatedAt }, tx, cancellationToken: ct));
            await AuditAsync(connection, tx, audit, next, ct);
            return next;
        }, ct);

    /// <summary>Makes <paramref name="revision"/> the active one; false when the policy has no such revision.</summary>
    public Task<bool> ActivateAsync(string name, long revision, PolicyAuditRow audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE policies SET active_revision = @revision, updated_at = @At WHERE name = @name AND EXISTS (SELECT 1 FROM policy_revisions WHERE name = @name AND revision = @revision)",
                new { name, revision = (int)revision, audit.At }, tx, cancellationToken: ct));
            if (changed == 1)
            {
                await AuditAsync(connection, tx, audit, revision, ct);
            }

            return changed == 1;
        }, ct);

    public async Task<IReadOnlyList<PolicyRow>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PolicyRow>(new CommandDefinition(
            "SELECT p.name, p.kind, p.active_revision, (SELECT MAX(revision) FROM policy_revisions r WHERE r.name = p.name) AS latest_revision, p.updated_at FROM policies p ORDER BY p.name",
            cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<PolicyRevisionRow>> ListRevisionsAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PolicyRevisionRow>(new CommandDefinition(
            $"SELECT {RevisionColumns} FROM policy_revisions r JOIN policies p ON p.name = r.name WHERE r.name = @name ORDER BY r.revision",
            new { name }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<PolicyRevisionRow?> GetRevisionAsync(string name, long revision, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PolicyRevisionRow>(new CommandDefinition(
            $"SELECT {RevisionColumns} FROM policy_revisions r JOIN policies p ON p.name = r.name WHERE r.name = @name AND r.revision = @revision",
            new { name, revision = (int)revision }, cancellationToken: ct));
    }

    /// <summary>The active revisions of every policy bound to the node: by its id, one of its groups, or by default.</summary>
    public async Task<IReadOnlyList<PolicyRevisionRow>> ActiveForNodeAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PolicyRevisionRow>(new CommandDefinition(
            $"""
            SELECT {RevisionColumns} FROM policies p JOIN policy_revisions r ON r.name = p.name AND r.revision = p.active_revision
            WHERE p.name IN (SELECT b.name FROM policy_bindings b WHERE b.selector = 'default'
                OR (b.selector = 'node' AND b.value = @nodeId)
                OR (b.selector = 'group' AND b.value IN (SELECT g.group_name FROM node_groups g WHERE g.node_id = @nodeId)))
            ORDER BY p.name
            """, new { nodeId }, cancellationToken: ct));
        return rows.AsList();
    }

    public Task AddBindingAsync(PolicyBindingRow binding, PolicyAuditRow audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO policy_bindings ({BindingColumns}) VALUES (@BindingId, @Name, @Selector, @Value, @CreatedBy, @CreatedAt)", binding, tx, cancellationToken: ct));
            await AuditAsync(connection, tx, audit, null, ct);
            return 0;
        }, ct);

    public async Task<IReadOnlyList<PolicyBindingRow>> ListBindingsAsync(string? name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PolicyBindingRow>(new CommandDefinition(
            $"SELECT {BindingColumns} FROM policy_bindings WHERE @name IS NULL OR name = @name ORDER BY name, selector, value", new { name }, cancellationToken: ct));
        return rows.AsList();
    }

    public Task<bool> DeleteBindingAsync(string bindingId, PolicyAuditRow audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM policy_bindings WHERE binding_id = @bindingId", new { bindingId }, tx, cancellationToken: ct));
            if (deleted == 1)
            {
                await AuditAsync(connection, tx, audit, null, ct);
            }

            return deleted == 1;
        }, ct);

    public Task SetGroupsAsync(string nodeId, IReadOnlyList<string> groups, PolicyAuditRow audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM node_groups WHERE node_id = @nodeId", new { nodeId }, tx, cancellationToken: ct));
            foreach (var group in groups)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO node_groups (node_id, group_name, created_at) VALUES (@nodeId, @group, @At)", new { nodeId, group, audit.At }, tx, cancellationToken: ct));
            }

            await AuditAsync(connection, tx, audit, null, ct);
            return 0;
        }, ct);

    public async Task<IReadOnlyList<string>> GroupsAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT group_name FROM node_groups WHERE node_id = @nodeId ORDER BY group_name", new { nodeId }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The nodes a policy's bindings select (default: every node with an attestation).</summary>
    public async Task<IReadOnlyList<string>> GovernedNodesAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT node_id FROM (
                SELECT b.value AS node_id FROM policy_bindings b WHERE b.name = @name AND b.selector = 'node'
                UNION SELECT g.node_id FROM node_groups g JOIN policy_bindings b ON b.selector = 'group' AND b.value = g.group_name WHERE b.name = @name
                UNION SELECT a.node_id FROM attestations a WHERE EXISTS (SELECT 1 FROM policy_bindings b WHERE b.name = @name AND b.selector = 'default')
            ) n ORDER BY node_id
            """, new { name }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<string>> NodesWithEvidenceAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT node_id FROM evidence ORDER BY node_id", cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The node's last <paramref name="limit"/> attestations whose raw evidence is still retained, newest first.</summary>
    public async Task<IReadOnlyList<StoredEvidenceRow>> RecentEvidenceAsync(string nodeId, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<StoredEvidenceRow>(new CommandDefinition(
            """
            SELECT a.attestation_id, a.node_id, a.pcrs, a.clock, a.created_at, e.event_log, e.ima_log
            FROM attestations a JOIN evidence e ON e.attestation_id = a.attestation_id
            WHERE a.node_id = @nodeId ORDER BY a.created_at DESC, a.attestation_id DESC LIMIT @limit
            """, new { nodeId, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<PolicyAuditRow>> AuditTrailAsync(string? name, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PolicyAuditRow>(new CommandDefinition(
            "SELECT audit_id, at, actor, action, name, revision, detail FROM policy_audit WHERE @name IS NULL OR name = @name ORDER BY at DESC, audit_id DESC LIMIT @limit",
            new { name, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    private static Task AuditAsync(DbConnection connection, DbTransaction tx, PolicyAuditRow audit, long? revision, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO policy_audit (audit_id, at, actor, action, name, revision, detail) VALUES (@AuditId, @At, @Actor, @Action, @Name, @revision, @Detail)",
            new { audit.AuditId, audit.At, audit.Actor, audit.Action, audit.Name, revision = revision is null ? audit.Revision is null ? (int?)null : (int)audit.Revision : (int)revision, audit.Detail },
            tx, cancellationToken: ct));
}
