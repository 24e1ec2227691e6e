using Attest.Tpm.Attestation;
using Attest.Tpm.Verification;

namespace Attest.Tpm.Quotes;

public sealed class QuoteVerificationResult : VerificationResult
{
    /// <summary>The parsed attestation when it parsed (also when other checks failed), for reset/restart counters.</summary>
    public TpmsAttest? Attest { get; internal set; }

    public TpmtSignature? Signature { get; internal set; }

    /// <summary>The quoted selection, when the attestation is a quote.</summary>
    public QuoteInfo? Quote => Attest?.Attested as QuoteInfo;
}
