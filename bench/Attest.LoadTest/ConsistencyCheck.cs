using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.LoadTest;

/// <summary>
/// No lost or duplicated verdicts: every verdict a client received is stored exactly once under its session, no
/// session has two attestations, and no session was used without a stored verdict.
/// </summary>
internal static class ConsistencyCheck
{
    public sealed record Result(
        int VerdictsReceived,
        int AttestationsStored,
        int ReceivedButNotStored,
        int ReceivedTwice,
        int StoredUnderAnotherSession,
        int SessionsWithSeveralAttestations,
        int UsedSessionsWithoutAttestation,
        int StoredButNotReceived)
    {
        /// <summary>Stored-but-not-received is not a loss when a client gave up on a request (counted as an error).</summary>
        public bool Consistent => ReceivedButNotStored == 0 && ReceivedTwice == 0 && StoredUnderAnotherSession == 0
            && SessionsWithSeveralAttestations == 0 && UsedSessionsWithoutAttestation == 0;
    }

    public static async Task<Result> RunAsync(Database database, ConcurrentVerdicts verdicts, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var stored = (await connection.QueryAsync<(string AttestationId, string SessionId)>(new CommandDefinition(
            "SELECT attestation_id, session_id FROM attestations", cancellationToken: ct))).ToList();
        var bySession = stored.GroupBy(s => s.SessionId).Count(g => g.Count() > 1);
        var storedIds = stored.GroupBy(s => s.AttestationId).ToDictionary(g => g.Key, g => g.Select(s => s.SessionId).ToList());
        var orphans = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sessions s WHERE s.state = 'used' AND NOT EXISTS (SELECT 1 FROM attestations a WHERE a.attestation_id = s.attestation_id)",
            cancellationToken: ct));

        var received = verdicts.All;
        var receivedIds = received.GroupBy(v => v.AttestationId).ToDictionary(g => g.Key, g => g.Count());
        var notStored = 0;
        var wrongSession = 0;
        foreach (var (attestationId, sessionId, _) in received)
        {
            if (!storedIds.TryGetValue(attestationId, out var sessions))
            {
                notStored++;
            }
            else if (sessions.Count != 1 || sessions[0] != sessionId)
            {
                wrongSession++;
            }
        }

        return new Result(
            received.Count,
            stored.Count,
            notStored,
            receivedIds.Count(r => r.Value > 1),
            wrongSession,
            bySession,
            (int)orphans,
            storedIds.Keys.Count(id => !receivedIds.ContainsKey(id)));
    }
}
