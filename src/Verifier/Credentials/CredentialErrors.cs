namespace Attest.Verifier.Credentials;

/// <summary>Stable codes of refused credential requests (docs/credentials.md says what to do about each).</summary>
internal static class CredentialErrors
{
    public const string AttestationNotFound = "credentials.attestation_not_found";
    public const string AttestationNotPassed = "credentials.attestation_not_passed";
    public const string AttestationStale = "credentials.attestation_stale";
    public const string AttestationSuperseded = "credentials.attestation_superseded";
    public const string AlreadyIssued = "credentials.already_issued";
    public const string NodeNotEnrolled = "credentials.node_not_enrolled";
    public const string NodeReenrolled = "credentials.node_reenrolled";
    public const string DeliveryRefused = "credentials.delivery_refused";
    public const string CsrMalformed = "csr.malformed";
    public const string CsrSignatureAlgorithmRefused = "csr.signature_algorithm_refused";
    public const string CsrKeyRefused = "csr.key_refused";
    public const string CsrSignatureInvalid = "csr.signature_invalid";
    public const string TpmKeyRequired = "csr.tpm_key_required";
    public const string TpmKeyInvalid = "csr.tpm_key_invalid";
    public const string TpmKeyNotCertified = "csr.tpm_key_not_certified";
    public const string CertificateNotFound = "credentials.certificate_not_found";
}
