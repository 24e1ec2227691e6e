namespace Attest.Contracts.Verifier;

/// <summary>How issued credentials travel back to the node.</summary>
public static class CredentialDelivery
{
    /// <summary>In clear (only when the verifier allows it).</summary>
    public const string Plain = "plain";

    /// <summary>The token secret wrapped by MakeCredential to the node's EK and AK Name; the certificate sealed under it.</summary>
    public const string Tpm = "tpm";

    /// <summary>The purpose string the certificate is sealed under (HKDF info "attest " + this; AES-GCM associated data).</summary>
    public const string SealedCertificatePurpose = "agent certificate";
}

/// <summary>
/// POST /v1/nodes/{nodeId}/credentials, right after a passing attestation: an agent token, and an agent TLS
/// certificate when <see cref="Csr"/> (DER PKCS#10) is given. One request per attestation.
/// </summary>
public sealed record CredentialRequest(string AttestationId, byte[]? Csr = null, string Delivery = CredentialDelivery.Tpm, KeyCertification? TpmKey = null);

/// <summary>
/// Optional proof that the CSR's key is a TPM key: its TPM2B_PUBLIC, and TPM2_Certify of it by the node's AK with
/// qualifying data = the attestation id (ASCII) being redeemed.
/// </summary>
public sealed record KeyCertification(byte[] Public, byte[] Attest, byte[] Signature);

/// <summary>TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET for TPM2_ActivateCredential with the node's AK and EK.</summary>
public sealed record WrappedSecret(byte[] CredentialBlob, byte[] EncryptedSecret);

/// <param name="Token">The token, with plain delivery only; it is not stored and cannot be retrieved again.</param>
/// <param name="WrappedToken">With TPM delivery: the 32-byte token secret; the token is <c>atk_</c> + base64url(secret).</param>
public sealed record IssuedCredentials(
    string NodeId,
    string AttestationId,
    string TokenId,
    string? Token,
    WrappedSecret? WrappedToken,
    DateTimeOffset TokenExpiresAt,
    IssuedCertificate? Certificate,
    IReadOnlyList<string> Warnings);

/// <param name="CertificatePem">Plain delivery: the certificate (PEM).</param>
/// <param name="SealedCertificate">TPM delivery: the certificate's DER sealed under the token secret (Attest.Tpm SealedCredential, purpose "agent certificate").</param>
public sealed record IssuedCertificate(
    string Serial,
    string? CertificatePem,
    byte[]? SealedCertificate,
    string CaCertificatePem,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter);

/// <summary>POST /v1/credentials/tokens/verify (conductor).</summary>
public sealed record VerifyTokenRequest(string Token);

/// <summary>Whether a token is valid now; <see cref="Reason"/> is a stable code when it is not.</summary>
public sealed record TokenVerification(bool Valid, string? Reason, string? NodeId, string? TokenId, string? AttestationId, DateTimeOffset? ExpiresAt);

/// <summary>POST /v1/nodes/{nodeId}/credentials/revoke (operator).</summary>
public sealed record RevokeCredentialsRequest(string Reason);

public sealed record RevocationResult(string NodeId, int TokensRevoked, int CertificatesRevoked);

/// <summary>GET /v1/credentials/certificates/{serial}/status: an OCSP-like answer (good, revoked, unknown).</summary>
public sealed record CertificateStatus(string Serial, string Status, string? NodeId, DateTimeOffset? NotAfter, DateTimeOffset? RevokedAt, string? Reason);

/// <summary>
/// The body of a notification webhook. Headers: <c>X-Attest-Event</c>, <c>X-Attest-Timestamp</c> (Unix seconds) and
/// <c>X-Attest-Signature: sha256=hex(HMAC-SHA-256(secret, timestamp + "." + body))</c>.
/// </summary>
public sealed record Notification(string Id, string Type, string NodeId, DateTimeOffset At, IReadOnlyDictionary<string, string> Data);

public static class NotificationTypes
{
    public const string CredentialsRevoked = "credentials.revoked";
    public const string AttestationFailed = "attestation.failed";
}
