namespace Attest.Contracts.Registrar;

// Byte fields travel as base64 strings in JSON (System.Text.Json's byte[] form).

/// <summary>POST /v1/enrollments — a node presents its TPM's EK and a fresh AK.</summary>
/// <param name="NodeId">The provisioning system's node id (e.g. the Ironic node UUID).</param>
/// <param name="EkPublic">TPM2B_PUBLIC of the endorsement key.</param>
/// <param name="EkCertificate">DER EK certificate from TPM NV; null when the TPM has none.</param>
/// <param name="AkPublic">TPM2B_PUBLIC of the attestation key.</param>
/// <param name="SystemUuid">SMBIOS system UUID.</param>
/// <param name="Serial">SMBIOS serial number.</param>
/// <param name="EkIntermediates">DER intermediate CA certificates the node found (never trusted as roots).</param>
public sealed record EnrollmentRequest(
    string NodeId,
    byte[] EkPublic,
    byte[]? EkCertificate,
    byte[] AkPublic,
    string? SystemUuid = null,
    string? Serial = null,
    IReadOnlyList<byte[]>? EkIntermediates = null);

/// <summary>The MakeCredential challenge: only the TPM holding the EK can recover the secret, and only for this AK.</summary>
/// <param name="EnrollmentId">Where to send the activation proof.</param>
/// <param name="NodeId">The node enrolled.</param>
/// <param name="AkName">Hex TPM Name of the AK (the proof covers it).</param>
/// <param name="CredentialBlob">TPM2B_ID_OBJECT for TPM2_ActivateCredential.</param>
/// <param name="EncryptedSecret">TPM2B_ENCRYPTED_SECRET for TPM2_ActivateCredential.</param>
/// <param name="ExpiresAt">The challenge must be answered before this.</param>
/// <param name="Warnings">Accepted-but-notable facts (legacy algorithms, expired EK CA).</param>
public sealed record EnrollmentChallenge(
    string EnrollmentId,
    string NodeId,
    string AkName,
    byte[] CredentialBlob,
    byte[] EncryptedSecret,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Warnings);

/// <summary>POST /v1/enrollments/{id}/activation — proof that the node's TPM recovered the secret.</summary>
/// <param name="Proof"><see cref="ActivationProof.Compute"/> over the recovered secret.</param>
public sealed record ActivationRequest(byte[] Proof);

public sealed record ActivationResult(string NodeId, string AkName, string State, DateTimeOffset ActivatedAt);

/// <summary>POST /v1/nodes/{id}/ek-replacement — an operator allows the next enrollment to bring a different EK.</summary>
public sealed record EkReplacementRequest(string Reason, int? ValidForMinutes = null);
