using Attest.Contracts.Registrar;
using Attest.Tpm.Objects;
using Attest.Tpm.Verification;

namespace Attest.Registrar.Enrollment;

/// <summary>Decides whether an EK certificate chains to a configured TPM maker root and belongs to the EK presented.</summary>
public interface IEkCertificateTrust
{
    EkTrustDecision Evaluate(ReadOnlySpan<byte> certificate, IReadOnlyList<byte[]> intermediates, TpmPublic endorsementKey);
}

/// <summary>The outcome: trusted or not, every failure with its code, warnings, and what the certificate says.</summary>
public sealed record EkTrustDecision(IReadOnlyList<VerificationFailure> Failures, IReadOnlyList<string> Warnings, EkCertificateSummary? Summary)
{
    public bool Trusted => Failures.Count == 0;
}
