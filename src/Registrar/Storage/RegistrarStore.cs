using System.Data.Common;
using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.Registrar.Storage;

/// <summary>The registrar's tables. Every state change is a conditional UPDATE checked by its row count.</summary>
internal sealed class RegistrarStore(Database database)
{
    private const string NodeColumns = "node_id, system_uuid, serial, ek_public, ek_name, ek_certificate, ek_summary, state, enrolled_at, updated_at";
    private const string AkColumns = "enrollment_id, node_id, ak_name, ak_public, state, challenge_secret, challenge_expires_at, created_at, activated_at";

    public async Task<NodeRow?> GetNodeAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<NodeRow>(
            new CommandDefinition($"SELECT {NodeColumns} FROM nodes WHERE node_id = @nodeId", new { nodeId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<NodeRow>> ListNodesAsync(int limit, string? after, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<NodeRow>(new CommandDefinition(
            $"SELECT {NodeColumns} FROM nodes WHERE node_id > @after ORDER BY node_id LIMIT @limit",
            new { after = after ?? "", limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<AttestationKeyRow?> GetAttestationKeyAsync(string enrollmentId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttestationKeyRow>(new CommandDefinition(
            $"SELECT {AkColumns} FROM attestation_keys WHERE enrollment_id = @enrollmentId", new { enrollmentId }, cancellationToken: ct));
    }

    public async Task<AttestationKeyRow?> GetActiveAttestationKeyAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttestationKeyRow>(new CommandDefinition(
            $"SELECT {AkColumns} FROM attestation_keys WHERE node_id = @nodeId AND state = 'active'", new { nodeId }, cancellationToken: ct));
    }

    public async Task<NodeRow?> FindNodeByEkNameAsync(string ekName, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<NodeRow>(new CommandDefinition(
            $"SELECT {NodeColumns} FROM nodes WHERE ek_name = @ekName", new { ekName }, cancellationToken: ct));
    }

    /// <summary>
    /// Records an enrollment: creates the node (or, when <paramref name="replaceEk"/>, moves it to the new EK and
    /// consumes the operator's replacement allowance), and adds the pending AK with its challenge secret.
    /// </summary>
    public Task SaveEnrollmentAsync(NodeRow node, AttestationKeyRow ak, bool isNew, bool replaceEk, string eventDetail, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (isNew)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO nodes ({NodeColumns}) VALUES (@NodeId, @SystemUuid, @Serial, @EkPublic, @EkName, @EkCertificate, @EkSummary, @State, @EnrolledAt, @UpdatedAt)",
                    node, transaction, cancellationToken: ct));
            }
            else
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE nodes SET system_uuid = @SystemUuid, serial = @Serial, ek_public = @EkPublic, ek_name = @EkName,
                        ek_certificate = @EkCertificate, ek_summary = @EkSummary, state = @State, updated_at = @UpdatedAt
                    WHERE node_id = @NodeId
                    """, node, transaction, cancellationToken: ct));
            }

            if (replaceEk)
            {
                // A new TPM: keys of the old one must never verify again.
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE attestation_keys SET state = 'retired', challenge_secret = NULL WHERE node_id = @NodeId AND state IN ('active', 'pending')",
                    new { node.NodeId }, transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM ek_replacements WHERE node_id = @NodeId", new { node.NodeId }, transaction, cancellationToken: ct));
            }

            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO attestation_keys ({AkColumns}) VALUES (@EnrollmentId, @NodeId, @AkName, @AkPublic, @State, @ChallengeSecret, @ChallengeExpiresAt, @CreatedAt, @ActivatedAt)",
                ak, transaction, cancellationToken: ct));
            await InsertEventAsync(connection, transaction, node.NodeId, replaceEk ? "ek_replaced" : "enrolled", "node", eventDetail, ak.CreatedAt, ct);
            return 0;
        }, ct);

    /// <summary>pending → active, once, before the challenge expires; retires the node's previous AK. False when it lost.</summary>
    public Task<bool> ActivateAsync(AttestationKeyRow ak, long now, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE attestation_keys SET state = 'active', activated_at = @now, challenge_secret = NULL
                WHERE enrollment_id = @EnrollmentId AND state = 'pending' AND challenge_expires_at > @now
                """, new { ak.EnrollmentId, now }, transaction, cancellationToken: ct));
            if (changed != 1)
            {
                return false;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE attestation_keys SET state = 'retired' WHERE node_id = @NodeId AND state = 'active' AND enrollment_id <> @EnrollmentId",
                new { ak.NodeId, ak.EnrollmentId }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE nodes SET updated_at = @now WHERE node_id = @NodeId", new { ak.NodeId, now }, transaction, cancellationToken: ct));
            await InsertEventAsync(connection, transaction, ak.NodeId, "activated", "node", $"attestation key {ak.AkName} activated", now, ct);
            return true;
        }, ct);

    public async Task RecordEventAsync(string nodeId, string kind, string actor, string detail, long at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await InsertEventAsync(connection, null, nodeId, kind, actor, detail, at, ct);
    }

    public async Task<IReadOnlyList<NodeEventRow>> GetEventsAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<NodeEventRow>(new CommandDefinition(
            "SELECT kind, actor, detail, at FROM node_events WHERE node_id = @nodeId ORDER BY at, event_id", new { nodeId }, cancellationToken: ct));
        return rows.AsList();
    }

    public Task AllowEkReplacementAsync(string nodeId, string allowedBy, string reason, long expiresAt, long now, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM ek_replacements WHERE node_id = @nodeId", new { nodeId }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO ek_replacements (node_id, allowed_by, reason, expires_at, created_at) VALUES (@nodeId, @allowedBy, @reason, @expiresAt, @now)",
                new { nodeId, allowedBy, reason, expiresAt, now }, transaction, cancellationToken: ct));
            await InsertEventAsync(connection, transaction, nodeId, "ek_replacement_allowed", allowedBy, reason, now, ct);
            return 0;
        }, ct);

    public async Task<bool> HasEkReplacementAsync(string nodeId, long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ek_replacements WHERE node_id = @nodeId AND expires_at > @now", new { nodeId, now }, cancellationToken: ct)) > 0;
    }

    private static Task InsertEventAsync(DbConnection connection, DbTransaction? transaction, string nodeId, string kind, string actor, string detail, long at, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO node_events (event_id, node_id, kind, actor, detail, at) VALUES (@id, @nodeId, @kind, @actor, @detail, @at)",
            new { id = Guid.NewGuid().ToString("N"), nodeId, kind, actor, detail, at }, transaction, cancellationToken: ct));
}
