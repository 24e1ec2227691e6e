using Attest.Contracts.Registrar;
using Attest.Registrar.Enrollment;
using Attest.Tpm.Objects;

namespace Attest.Registrar.EkCertificates;

/// <summary>The enrollment service's view of <see cref="EkCertificateValidator"/>: decision plus the node record's summary.</summary>
public sealed class EkCertificateTrust(EkCertificateValidator validator) : IEkCertificateTrust
{
    public EkTrustDecision Evaluate(ReadOnlySpan<byte> certificate, IReadOnlyList<byte[]> intermediates, TpmPublic endorsementKey)
    {
        var result = validator.Validate(certificate, endorsementKey, intermediates);
        var summary = result.Sha256Thumbprint is null
            ? null
            : new EkCertificateSummary(
                result.Subject ?? string.Empty,
                result.Issuer ?? string.Empty,
                result.Sha256Thumbprint,
                result.Tpm?.Manufacturer,
                result.Tpm?.Model,
                result.Tpm?.Version,
                result.Chain.Select(c => $"{(c.Subject.Length == 0 ? "(empty subject)" : c.Subject)} [sha256 {c.Sha256Thumbprint}]").ToList(),
                result.Warnings.ToList());
        return new EkTrustDecision(result.Failures, result.Warnings, summary);
    }
}
