namespace Attest.Verifier.Evidence;

/// <summary>Stable codes the verifier adds to those of the TPM library (docs/failure-codes.md).</summary>
public static class AttestationFailureCodes
{
    public const string NodeNotEnrolled = "attestation.node_not_enrolled";
    public const string AkNotActive = "attestation.ak_not_active";
    public const string ResetCountRegressed = "attestation.reset_count_regressed";
    public const string ClockRegressed = "attestation.clock_regressed";
    public const string EventLogMissing = "attestation.eventlog_missing";
    public const string EventLogMalformed = "eventlog.malformed";
    public const string ImaMalformed = "ima.malformed";
    public const string BaselineMissing = "baseline.missing";
    public const string BaselinePcrChanged = "baseline.pcr_changed";
    public const string BaselineFactChanged = "baseline.fact_changed";
}

/// <summary>Codes of refused requests on sessions (problem details, not verdicts).</summary>
public static class SessionErrors
{
    public const string NotFound = "session.not_found";
    public const string AlreadyUsed = "session.already_used";
    public const string Expired = "session.expired";
    public const string NoVerdict = "session.no_verdict";
    public const string PcrSelectionInvalid = "session.pcr_selection_invalid";
    public const string PcrBankRefused = "session.pcr_bank_refused";
    public const string RegistrarUnavailable = "registrar.unavailable";
}
