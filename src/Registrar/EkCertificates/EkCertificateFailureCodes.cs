namespace Attest.Registrar.EkCertificates;

/// <summary>Stable failure codes of EK certificate validation (docs/failure-codes-ek-certificate.md).</summary>
public static class EkCertificateFailureCodes
{
    /// <summary>The bytes are not a readable X.509 certificate, or exceed the size bound.</summary>
    public const string Malformed = "ek_certificate.malformed";

    /// <summary>No chain from the EK certificate to a configured anchor (the message names the missing issuer).</summary>
    public const string Untrusted = "ek_certificate.untrusted";

    /// <summary>The certificate's public key is not the EK public area presented.</summary>
    public const string KeyMismatch = "ek_certificate.key_mismatch";

    /// <summary>A signature algorithm, key size or curve in the chain is refused by the crypto profile.</summary>
    public const string AlgorithmRefused = "ek_certificate.algorithm_refused";

    /// <summary>A certificate in the chain is outside its validity period (only when enforcement is configured).</summary>
    public const string Expired = "ek_certificate.expired";
}
