using System.Data.Common;
using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Tokens and certificates. The grant "one credential issue per attestation" is the UNIQUE attestation_id of
/// agent_tokens: of racing requests exactly one inserts. Revocation is one conditional UPDATE per table.
/// </summary>
internal sealed class CredentialStore(Database database)
{
    private const string TokenColumns = "token_id AS TokenId, node_id AS NodeId, attestation_id AS AttestationId, ak_name AS AkName, token_hash AS TokenHash, delivery AS Delivery, state AS State, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt, revoked_reason AS RevokedReason";
    private const string CertificateColumns = "serial AS Serial, node_id AS NodeId, attestation_id AS AttestationId, ak_name AS AkName, subject AS Subject, certificate AS Certificate, state AS State, not_before AS NotBefore, not_after AS NotAfter, created_at AS CreatedAt, revoked_at AS RevokedAt, revoked_reason AS RevokedReason";

    /// <summary>The node's latest verdict of any kind: a later failure supersedes an earlier pass.</summary>
    public async Task<string?> LatestAttestationIdAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT attestation_id FROM attestations WHERE node_id = @nodeId ORDER BY created_at DESC, attestation_id DESC LIMIT 1",
            new { nodeId }, cancellationToken: ct));
    }

    public async Task<bool> TokenExistsForAttestationAsync(string attestationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM agent_tokens WHERE attestation_id = @attestationId", new { attestationId }, cancellationToken: ct)) > 0;
    }

    /// <summary>Inserts the token (consuming the attestation's grant) and the certificate together; false when the grant was already used.</summary>
    public async Task<bool> InsertAsync(AgentTokenRow token, IssuedCertificateRow? certificate, CancellationToken ct)
    {
        try
        {
            return await database.InTransactionAsync(async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO agent_tokens (token_id, node_id, attestation_id, ak_name, token_hash, delivery, state, created_at, expires_at, revoked_at, revoked_reason)
                    VALUES (@TokenId, @NodeId, @AttestationId, @AkName, @TokenHash, @Delivery, @State, @CreatedAt, @ExpiresAt, @RevokedAt, @RevokedReason)
                    """, token, transaction, cancellationToken: ct));
                if (certificate is not null)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        INSERT INTO issued_certificates (serial, node_id, attestation_id, ak_name, subject, certificate, state, not_before, not_after, created_at, revoked_at, revoked_reason)
                        VALUES (@Serial, @NodeId, @AttestationId, @AkName, @Subject, @Certificate, @State, @NotBefore, @NotAfter, @CreatedAt, @RevokedAt, @RevokedReason)
                        """, certificate, transaction, cancellationToken: ct));
                }

                return true;
            }, ct);
        }
        catch (DbException)
        {
            // The UNIQUE attestation_id refused a second grant (a racing request won); any other failure propagates.
            if (await TokenExistsForAttestationAsync(token.AttestationId, CancellationToken.None))
            {
                return false;
            }

            throw;
        }
    }

    public async Task<AgentTokenRow?> FindTokenAsync(string tokenHash, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<AgentTokenRow>(new CommandDefinition(
            $"SELECT {TokenColumns} FROM agent_tokens WHERE token_hash = @tokenHash", new { tokenHash }, cancellationToken: ct));
    }

    public async Task<IssuedCertificateRow?> FindCertificateAsync(string serial, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<IssuedCertificateRow>(new CommandDefinition(
            $"SELECT {CertificateColumns} FROM issued_certificates WHERE serial = @serial", new { serial }, cancellationToken: ct));
    }

    /// <summary>Revoked certificates still within their validity (expired ones may leave the CRL, RFC 5280 §3.3).</summary>
    public async Task<IReadOnlyList<IssuedCertificateRow>> RevokedCertificatesAsync(long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<IssuedCertificateRow>(new CommandDefinition(
            $"SELECT {CertificateColumns} FROM issued_certificates WHERE state = 'revoked' AND not_after > @now ORDER BY serial",
            new { now }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Revokes the node's active tokens and certificates (only those bound to another AK when <paramref name="keepAkName"/>
    /// is given: re-enrollment). Returns how many of each changed.
    /// </summary>
    public Task<(int Tokens, int Certificates)> RevokeNodeAsync(string nodeId, string reason, long now, string? keepAkName, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var filter = keepAkName is null ? "" : " AND ak_name <> @keepAkName";
            var parameters = new { nodeId, reason, now, keepAkName };
            var tokens = await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE agent_tokens SET state = 'revoked', revoked_at = @now, revoked_reason = @reason WHERE node_id = @nodeId AND state = 'active'{filter}",
                parameters, transaction, cancellationToken: ct));
            var certificates = await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE issued_certificates SET state = 'revoked', revoked_at = @now, revoked_reason = @reason WHERE node_id = @nodeId AND state = 'active'{filter}",
                parameters, transaction, cancellationToken: ct));
            return (tokens, certificates);
        }, ct);
}
