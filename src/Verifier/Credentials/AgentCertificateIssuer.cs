using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Credentials;

/// <summary>An issued agent certificate: DER, serial (hex) and validity.</summary>
internal sealed record AgentCertificate(byte[] Der, string Serial, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>
/// Signs agent TLS certificates: the key comes from the CSR, everything else from the verifier — subject and SANs
/// from the node id, serverAuth and clientAuth, a short lifetime and a random serial (RFC 5280 §4.1.2.2; CA/B
/// Forum's 64-bit minimum of entropy, here 126 bits).
/// </summary>
internal sealed class AgentCertificateIssuer(CertificateAuthority ca, IOptions<VerifierOptions> options)
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public AgentCertificate Issue(string nodeId, ValidatedCsr csr, DateTimeOffset now)
    {
        var settings = options.Value.Credentials.Certificates;
        var subject = new X500DistinguishedName($"CN={nodeId}");
        var request = new CertificateRequest(subject, csr.PublicKey, ca.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // ECDHE suites need only signatures; RSA keys also get keyEncipherment for TLS 1.2 peers that still ask.
        var usage = X509KeyUsageFlags.DigitalSignature | (csr.IsRsa ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.None);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        if (!string.IsNullOrEmpty(settings.DnsSuffix))
        {
            san.AddDnsName($"{nodeId}.{settings.DnsSuffix}".ToLowerInvariant());
        }

        san.AddUri(new Uri($"urn:attest:node:{nodeId}"));
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(csr.PublicKey, false));
        request.CertificateExtensions.Add(ca.AuthorityKeyIdentifier);
        if (!string.IsNullOrEmpty(settings.CrlUrl))
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([settings.CrlUrl]));
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40); // positive, and no leading zero byte to strip
        // Backdated a little for clock skew between verifier and agent; never beyond the CA's own validity.
        var notBefore = now.AddMinutes(-5);
        var notAfter = now + settings.Lifetime;
        if (notAfter > ca.Certificate.NotAfter)
        {
            notAfter = ca.Certificate.NotAfter;
        }

        using var certificate = request.Create(ca.Certificate.SubjectName, ca.Signer, notBefore, notAfter, serial);
        return new AgentCertificate(certificate.RawData, Convert.ToHexStringLower(serial), subject.Name, notBefore, notAfter);
    }
}
