using Attest.Tpm.Verification;

namespace Attest.Registrar.EkCertificates;

/// <summary>One certificate of the chain that was built, EK certificate first, anchor last.</summary>
public sealed record EkChainElement(string Subject, string Issuer, string Sha256Thumbprint, DateTime NotBefore, DateTime NotAfter, CertificateSource Source, bool IsAnchor);

/// <summary>
/// The outcome of EK certificate validation: every failure with its code (<see cref="EkCertificateFailureCodes"/>),
/// warnings (expired manufacturing CAs, legacy algorithms, fallback builder), the chain and the TPM it names.
/// </summary>
public sealed class EkCertificateValidationResult : VerificationResult
{
    private readonly List<EkChainElement> _chain = [];

    /// <summary>The chain reached a configured anchor, the key is the EK's, and nothing failed.</summary>
    public bool Trusted => Passed && _chain.Count > 0;

    public IReadOnlyList<EkChainElement> Chain => _chain;

    /// <summary>TPM manufacturer, model and firmware version from the certificate's subjectAltName.</summary>
    public TpmDeviceIdentity? Tpm { get; internal set; }

    /// <summary><c>x509chain</c>, or <c>fallback</c> when the platform refused a real-world encoding or path.</summary>
    public string? ChainBuilder { get; internal set; }

    /// <summary>The EK certificate's subject (empty for TCG-profile EK certificates) and issuer, when it could be read.</summary>
    public string? Subject { get; internal set; }

    public string? Issuer { get; internal set; }

    /// <summary>SHA-256 of the EK certificate as received (hex), when it could be read.</summary>
    public string? Sha256Thumbprint { get; internal set; }

    internal void SetChain(IEnumerable<EkChainElement> chain)
    {
        _chain.Clear();
        _chain.AddRange(chain);
    }
}
