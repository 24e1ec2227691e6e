namespace Attest.Registrar.Enrollment;

/// <summary>Stable codes of refused enrollments and activations (docs/failure-codes.md).</summary>
public static class EnrollmentErrors
{
    public const string EkInvalid = "enrollment.ek_invalid";
    public const string EkCertificateMissing = "enrollment.ek_certificate_missing";
    public const string EkCertificateUntrusted = "enrollment.ek_certificate_untrusted";
    public const string EkChanged = "enrollment.ek_changed";
    public const string EkInUse = "enrollment.ek_in_use";
    public const string AkAttributesInvalid = "enrollment.ak_attributes_invalid";
    public const string AkAlgorithmRefused = "enrollment.ak_algorithm_refused";
    public const string NodeRevoked = "enrollment.node_revoked";
    public const string UnknownEnrollment = "enrollment.not_found";
    public const string ChallengeExpired = "enrollment.challenge_expired";
    public const string AlreadyActivated = "enrollment.not_pending";
    public const string ActivationProofInvalid = "enrollment.activation_proof_invalid";
}
