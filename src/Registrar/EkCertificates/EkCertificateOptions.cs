namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Configuration section <c>Registrar:EkCertificates</c>. See docs/decisions/0006-ek-certificates.md for why each
/// default is what it is.
/// </summary>
public sealed class EkCertificateOptions
{
    public const string SectionName = "Registrar:EkCertificates";

    /// <summary>Folder (searched recursively) holding the TPM makers' root and intermediate CA certificates.</summary>
    public string RootDirectory { get; set; } = "tpm-ca";

    /// <summary>
    /// When false (the default), an expired or not-yet-valid certificate in the chain is a warning: EK certificates
    /// are manufacturing certificates, issued once for the life of the TPM, and many makers' CAs have outlived them.
    /// When true, it fails with <c>ek_certificate.expired</c>.
    /// </summary>
    public bool EnforceValidityPeriod { get; set; }

    /// <summary>
    /// When true (the default), a configured CA certificate whose issuer is not in the folder (e.g. Infineon's
    /// "IFX TPM EK Root CA", cross-signed by the retired VeriSign TPM root) is a trust anchor: the operator put it
    /// there. When false, only self-signed certificates are anchors.
    /// </summary>
    public bool TrustConfiguredIntermediates { get; set; } = true;

    /// <summary>Largest EK or intermediate certificate accepted from a node, in bytes.</summary>
    public int MaxCertificateBytes { get; set; } = 16 * 1024;

    /// <summary>Most intermediates a node may send with its EK certificate.</summary>
    public int MaxNodeIntermediates { get; set; } = 8;
}
