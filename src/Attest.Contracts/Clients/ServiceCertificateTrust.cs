using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Attest.Contracts.Clients;

/// <summary>
/// TLS trust for clients of the Attest services: the system roots, plus one extra certificate (a private CA, or a
/// service's development certificate) that a presented chain may end at.
/// </summary>
public static class ServiceCertificateTrust
{
    public static RemoteCertificateValidationCallback With(X509Certificate2 trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(presented);
        };
    }

    /// <summary>Loads the extra certificate: PEM/DER, or the public part of a PKCS#12 file.</summary>
    public static X509Certificate2 Load(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
            ? X509CertificateLoader.LoadPkcs12FromFile(path, password: null)
            : X509CertificateLoader.LoadCertificateFromFile(path);
}
