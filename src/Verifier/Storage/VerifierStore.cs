using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.Verifier.Storage;

/// <summary>The verifier's tables. Session use is a conditional UPDATE: of racing submissions exactly one wins.</summary>
internal sealed class VerifierStore(Database database)
{
    private const string SessionColumns = "session_id, node_id, nonce, pcr_selection, purpose, opened_by, state, created_at, expires_at, used_at, attestation_id";
    private const string AttestationColumns = "attestation_id, node_id, session_id, purpose, verdict, failures, warnings, evidence_digest, ak_name, reset_count, restart_count, clock, pcrs, facts, ima_state, baseline_version, created_at";

    public async Task InsertSessionAsync(SessionRow session, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO sessions ({SessionColumns}) VALUES (@SessionId, @NodeId, @Nonce, @PcrSelection, @Purpose, @OpenedBy, @State, @CreatedAt, @ExpiresAt, @UsedAt, @AttestationId)",
            session, cancellationToken: ct));
    }

    public async Task<SessionRow?> GetSessionAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
            $"SELECT {SessionColumns} FROM sessions WHERE session_id = @sessionId", new { sessionId }, cancellationToken: ct));
    }

    /// <summary>open → used, only while unexpired; true for the one caller that made the change.</summary>
    public async Task<bool> UseSessionAsync(string sessionId, string attestationId, long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions SET state = 'used', used_at = @now, attestation_id = @attestationId WHERE session_id = @sessionId AND state = 'open' AND expires_at > @now",
            new { sessionId, attestationId, now }, cancellationToken: ct));
        return changed == 1;
    }

    /// <summary>
    /// The node's latest attestation with a verified quote (clock recorded): its reset/restart counters and
    /// incremental IMA state are what the next attestation is checked against.
    /// </summary>
    public async Task<AttestationRow?> GetLatestAttestationAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttestationRow>(new CommandDefinition(
            $"SELECT {AttestationColumns} FROM attestations WHERE node_id = @nodeId AND clock > 0 ORDER BY created_at DESC, attestation_id DESC LIMIT 1",
            new { nodeId }, cancellationToken: ct));
    }

    public async Task<AttestationRow?> GetAttestationAsync(string nodeId, string attestationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AttestationRow>(new CommandDefinition(
            $"SELECT {AttestationColumns} FROM attestations WHERE node_id = @nodeId AND attestation_id = @attestationId",
            new { nodeId, attestationId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AttestationRow>> ListAttestationsAsync(string nodeId, int limit, long? before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<AttestationRow>(new CommandDefinition(
            $"SELECT {AttestationColumns} FROM attestations WHERE node_id = @nodeId AND created_at < @before ORDER BY created_at DESC, attestation_id DESC LIMIT @limit",
            new { nodeId, limit, before = before ?? long.MaxValue }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Stores a verdict and, when retained, its raw evidence; prunes evidence beyond the node's retention.</summary>
    /// <remarks>
    /// One command carrying every statement: on PostgreSQL, Npgsql sends them as one batch, so storing a verdict is
    /// two round trips (batch, commit) instead of four — under load each round trip waits for a backend to be
    /// scheduled (docs/performance.md). The transaction still makes it all-or-nothing on both backends.
    /// </remarks>
    public Task SaveAttestationAsync(AttestationRow attestation, EvidenceRow? evidence, int retainPerNode, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var sql = $"""
                INSERT INTO attestations ({AttestationColumns}) VALUES (@AttestationId, @NodeId, @SessionId, @Purpose, @Verdict, @Failures, @Warnings,
                    @EvidenceDigest, @AkName, @ResetCount, @RestartCount, @Clock, @Pcrs, @Facts, @ImaState, @BaselineVersion, @CreatedAt);
                """;
            var parameters = new DynamicParameters(attestation);
            if (evidence is not null && retainPerNode > 0)
            {
                sql += """

                    INSERT INTO evidence (attestation_id, node_id, quote, signature, event_log, ima_log, created_at)
                        VALUES (@EvidenceAttestationId, @EvidenceNodeId, @EvidenceQuote, @EvidenceSignature, @EvidenceEventLog, @EvidenceImaLog, @EvidenceCreatedAt);
                    DELETE FROM evidence WHERE node_id = @EvidenceNodeId AND attestation_id NOT IN (
                        SELECT attestation_id FROM evidence WHERE node_id = @EvidenceNodeId ORDER BY created_at DESC, attestation_id DESC LIMIT @RetainPerNode);
                    """;
                parameters.AddDynamicParams(new
                {
                    EvidenceAttestationId = evidence.AttestationId,
                    EvidenceNodeId = evidence.NodeId,
                    EvidenceQuote = evidence.Quote,
                    EvidenceSignature = evidence.Signature,
                    EvidenceEventLog = evidence.EventLog,
                    EvidenceImaLog = evidence.ImaLog,
                    EvidenceCreatedAt = evidence.CreatedAt,
                    RetainPerNode = retainPerNode,
                });
            }

            await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: ct));
            return 0;
        }, ct);

    public async Task<BaselineRow?> GetCurrentBaselineAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<BaselineRow>(new CommandDefinition(
            "SELECT node_id, version, attestation_id, pcrs, facts, approved_by, reason, created_at FROM baselines WHERE node_id = @nodeId ORDER BY version DESC LIMIT 1",
            new { nodeId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<BaselineRow>> ListBaselinesAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<BaselineRow>(new CommandDefinition(
            "SELECT node_id, version, attestation_id, pcrs, facts, approved_by, reason, created_at FROM baselines WHERE node_id = @nodeId ORDER BY version",
            new { nodeId }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Adds the next baseline version; the primary key (node, version) makes concurrent approvals collide, not interleave.</summary>
    public Task<long> AddBaselineAsync(BaselineRow baseline, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var next = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM baselines WHERE node_id = @NodeId", new { baseline.NodeId }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO baselines (node_id, version, attestation_id, pcrs, facts, approved_by, reason, created_at) VALUES (@NodeId, @version, @AttestationId, @Pcrs, @Facts, @ApprovedBy, @Reason, @CreatedAt)",
                new { baseline.NodeId, version = next, baseline.AttestationId, baseline.Pcrs, baseline.Facts, baseline.ApprovedBy, baseline.Reason, baseline.CreatedAt },
                transaction, cancellationToken: ct));
            return next;
        }, ct);
}
