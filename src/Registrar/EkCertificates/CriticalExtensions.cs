using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// RFC 5280 §4.2: a certificate with a critical extension the relying party does not process must be refused.
/// These are the ones this validator processes or, for policies, may ignore because it requires no policy.
/// OpenSSL does not know subjectDirectoryAttributes, which the TCG EK Credential Profile ("Subject Directory
/// Attributes") uses for the TPM specification and security assertions; it is only informational here, so a
/// maker marking it critical does not make a genuine chain fail. Name constraints are not in the list: the fallback builder does not enforce them.
/// </summary>
internal static class CriticalExtensions
{
    private static readonly HashSet<string> Processed = new(StringComparer.Ordinal)
    {
        "2.5.29.9",  // subjectDirectoryAttributes (TCG TPM specification / security assertions)
        "2.5.29.14", // subjectKeyIdentifier
        "2.5.29.15", // keyUsage
        "2.5.29.17", // subjectAltName: critical in EK certificates, whose subject is empty (RFC 5280 §4.2.1.6; TCG EK Credential Profile, "Subject Alternative Name")
        "2.5.29.19", // basicConstraints
        "2.5.29.32", // certificatePolicies: critical in Infineon/STMicro CA certificates; no policy is required here
        "2.5.29.35", // authorityKeyIdentifier
        "2.5.29.37", // extKeyUsage (tcg-kp-EKCertificate 2.23.133.8.1)
    };

    /// <summary>The critical extension OIDs of <paramref name="certificate"/> that are not processed.</summary>
    public static IReadOnlyList<string> Unprocessed(BcCertificate certificate)
    {
        var critical = certificate.GetCriticalExtensionOids();
        return critical is null ? [] : critical.Where(oid => !Processed.Contains(oid)).Order(StringComparer.Ordinal).ToList();
    }
}
