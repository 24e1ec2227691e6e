namespace Attest.ServiceDefaults.Hosting;

/// <summary>Configuration section <c>Tls</c>: the services listen with TLS only.</summary>
public sealed class TlsOptions
{
    public const string SectionName = "Tls";

    /// <summary>PKCS#12 (.pfx) server certificate with its key. Empty: a development certificate is generated.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Where the generated development certificate is kept (relative to the content root).</summary>
    public string DevelopmentCertificatePath { get; set; } = "data/tls/{service}-dev.pfx";
}
