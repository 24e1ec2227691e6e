namespace Attest.Contracts.Verifier;

/// <summary>POST /v1/nodes/{nodeId}/sessions — open an attestation session (a fresh single-use nonce).</summary>
/// <param name="Purpose">Why: <c>clean</c>, <c>deploy</c>, <c>firmware-update</c>, <c>manual</c> … (kept in history).</param>
/// <param name="Pcrs">PCRs to quote per bank (e.g. <c>{"sha256": [0,1,2,3,4,5,6,7]}</c>); the verifier's default when null.</param>
/// <param name="LifetimeSeconds">How long the nonce may be used; the configured default when null.</param>
public sealed record OpenSessionRequest(string? Purpose = null, IReadOnlyDictionary<string, IReadOnlyList<int>>? Pcrs = null, int? LifetimeSeconds = null);

/// <param name="Nonce">The qualifying data the node must quote with.</param>
/// <param name="Pcrs">The PCR selection the node must quote, per bank.</param>
/// <param name="State"><c>open</c>, <c>used</c> or <c>expired</c>.</param>
/// <param name="AttestationId">The attestation that used the session, once used.</param>
public sealed record AttestationSession(
    string SessionId,
    string NodeId,
    byte[] Nonce,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Pcrs,
    string Purpose,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? AttestationId);

/// <summary>POST /v1/sessions/{sessionId}/evidence — what the node sends after quoting.</summary>
/// <param name="Quote">TPMS_ATTEST bytes from TPM2_Quote.</param>
/// <param name="Signature">TPMT_SIGNATURE bytes from TPM2_Quote.</param>
/// <param name="Pcrs">PCR values: bank → PCR index → lowercase hex.</param>
/// <param name="EventLog">The UEFI/TCG measured-boot log (<c>binary_bios_measurements</c>).</param>
/// <param name="ImaLog">The IMA runtime log (binary or ASCII), or only its entries from <paramref name="ImaLogOffset"/> on.</param>
/// <param name="ImaLogOffset">Index of the first IMA entry in <paramref name="ImaLog"/> (incremental submission); 0 for the whole log.</param>
public sealed record EvidenceSubmission(
    byte[] Quote,
    byte[] Signature,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Pcrs,
    byte[]? EventLog = null,
    byte[]? ImaLog = null,
    int ImaLogOffset = 0);
