using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Attest.Registrar.EkCertificates;

/// <summary>Where a certificate used in a chain came from: only <see cref="Store"/> certificates can be anchors.</summary>
public enum CertificateSource
{
    EkCertificate,
    Store,
    Node,
}

/// <summary>
/// One decoded certificate. <see cref="Bc"/> is always present (BouncyCastle reads the encodings TPM makers use);
/// <see cref="DotNet"/> is null when .NET's loader refused the encoding, in which case only the fallback chain
/// builder can use it.
/// </summary>
public sealed class CaCertificate : IDisposable
{
    internal CaCertificate(byte[] der, BcCertificate bc, X509Certificate2? dotNet, CertificateSource source, string origin)
    {
        Der = der;
        Bc = bc;
        DotNet = dotNet;
        Source = source;
        Origin = origin;
        Sha256Thumbprint = Convert.ToHexString(SHA256.HashData(der));
        Subject = DisplayName(dotNet?.SubjectName, bc.SubjectDN);
        Issuer = DisplayName(dotNet?.IssuerName, bc.IssuerDN);
    }

    public byte[] Der { get; }

    internal BcCertificate Bc { get; }

    internal X509Certificate2? DotNet { get; }

    public CertificateSource Source { get; }

    /// <summary>File (and index within it) for store certificates; a label for others.</summary>
    public string Origin { get; }

    public string Sha256Thumbprint { get; }

    public string Subject { get; }

    public string Issuer { get; }

    public DateTime NotBefore => Bc.NotBefore.ToUniversalTime();

    public DateTime NotAfter => Bc.NotAfter.ToUniversalTime();

    /// <summary>Subject equals issuer (RFC 5280 §6.1 "self-issued").</summary>
    public bool IsSelfIssued => Bc.SubjectDN.Equivalent(Bc.IssuerDN);

    /// <summary>Releases the platform certificate; the store's live as long as the store, a node's only for one validation.</summary>
    public void Dispose() => DotNet?.Dispose();

    /// <summary>RFC 4514 order (most specific first), as operators see names elsewhere; BouncyCastle's when .NET could not read the certificate.</summary>
    private static string DisplayName(X500DistinguishedName? dotNet, Org.BouncyCastle.Asn1.X509.X509Name bc)
        => dotNet is not null ? dotNet.Name : bc.ToString(true, Org.BouncyCastle.Asn1.X509.X509Name.DefaultSymbols);

    /// <summary>True when <paramref name="issuer"/>'s name is this certificate's issuer and its key verifies the signature.</summary>
    /// <remarks>
    /// Deliberately ignores authorityKeyIdentifier issuer/serial: Infineon's TPM 1.2-era intermediates name a
    /// self-signed predecessor of the cross-signed "IFX TPM EK Root CA" there, so OpenSSL (and .NET on Linux) never
    /// pairs them, although the same key signed them. RFC 5280 §4.2.1.1 makes the AKI a path-building aid only.
    /// </remarks>
    internal bool IsIssuedBy(CaCertificate issuer)
    {
        if (!Bc.IssuerDN.Equivalent(issuer.Bc.SubjectDN))
        {
            return false;
        }

        return CertificateSignature.Verifies(this, issuer);
    }
}
