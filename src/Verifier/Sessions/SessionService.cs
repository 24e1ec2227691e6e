using System.Security.Cryptography;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Crypto;
using Attest.Verifier.Evidence;
using Attest.Verifier.Storage;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Sessions;

/// <summary>Attestation sessions: a fresh 32-byte nonce, the PCRs to quote, and an expiry. A session is used at most once.</summary>
internal sealed class SessionService(VerifierStore store, CryptoProfile profile, IOptions<VerifierOptions> options, TimeProvider clock)
{
    private const int NonceBytes = 32;

    public async Task<AttestationSession> OpenAsync(string nodeId, OpenSessionRequest request, string openedBy, CancellationToken ct)
    {
        var settings = options.Value;
        var selection = request.Pcrs is null
            ? PcrSelectionJson.Parse(settings.DefaultPcrSelection)
            : PcrSelectionJson.FromApi(request.Pcrs, profile);
        var lifetime = request.LifetimeSeconds is int seconds
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 5, (int)settings.MaxSessionLifetime.TotalSeconds))
            : settings.SessionLifetime;
        var purpose = string.IsNullOrWhiteSpace(request.Purpose) ? "manual" : request.Purpose.Trim();
        if (purpose.Length > 64)
        {
            throw ApiProblemException.BadRequest("request.purpose_invalid", "purpose is at most 64 characters");
        }

        var now = clock.GetUtcNow();
        var row = new SessionRow
        {
            SessionId = Guid.NewGuid().ToString("N"),
            NodeId = nodeId,
            Nonce = RandomNumberGenerator.GetBytes(NonceBytes),
            PcrSelection = selection.ToString(),
            Purpose = purpose,
            OpenedBy = openedBy,
            State = SessionStates.Open,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = (now + lifetime).ToUnixTimeMilliseconds(),
        };
        await store.InsertSessionAsync(row, ct);
        return ToContract(row, now);
    }

    public async Task<AttestationSession> GetAsync(string sessionId, CancellationToken ct)
    {
        var row = await store.GetSessionAsync(sessionId, ct) ?? throw NotFound(sessionId);
        return ToContract(row, clock.GetUtcNow());
    }

    public static ApiProblemException NotFound(string sessionId) => ApiProblemException.NotFound(SessionErrors.NotFound, $"no session '{sessionId}'");

    public static AttestationSession ToContract(SessionRow row, DateTimeOffset now) => new(
        row.SessionId,
        row.NodeId,
        row.Nonce,
        PcrSelectionJson.ToApi(PcrSelectionJson.Parse(row.PcrSelection)),
        row.Purpose,
        row.State == SessionStates.Open && row.ExpiresAt <= now.ToUnixTimeMilliseconds() ? SessionStates.Expired : row.State,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
        row.AttestationId);
}
