using System.ComponentModel.DataAnnotations;

namespace Attest.Verifier.Credentials;

/// <summary>Section <c>Verifier:Credentials</c>: agent tokens and agent TLS certificates issued after a pass.</summary>
public sealed class CredentialsOptions
{
    /// <summary>Credentials are issued only for the node's latest attestation, a pass no older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan FreshnessWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Allow <c>plain</c> delivery (the token and certificate in clear in the response). Off: only TPM-bound delivery,
    /// so whoever learns an attestation id cannot use what it redeems.
    /// </summary>
    public bool AllowPlainDelivery { get; set; }

    public CaOptions Ca { get; set; } = new();

    public AgentCertificateOptions Certificates { get; set; } = new();

    public AgentTokenOptions Tokens { get; set; } = new();
}

public sealed class CaOptions
{
    /// <summary>Folder of the CA key (<c>ca.key.pem</c>, encrypted PKCS#8) and certificate (<c>ca.crt.pem</c>).</summary>
    public string Directory { get; set; } = "data/ca";

    /// <summary><c>ecdsa-p384</c> (default) or <c>rsa-3072</c>, for a CA generated on first start.</summary>
    [RegularExpression("^(ecdsa-p384|rsa-3072)$")]
    public string KeyAlgorithm { get; set; } = "ecdsa-p384";

    /// <summary>Secret the CA key is encrypted with at rest; empty: read from <see cref="KeyPasswordFile"/>.</summary>
    public string? KeyPassword { get; set; }

    /// <summary>File holding that secret (generated with 256 random bits, mode 0600, when missing).</summary>
    public string KeyPasswordFile { get; set; } = "data/ca/ca-key.secret";

    public string Subject { get; set; } = "CN=Attest Agent CA";

    [Range(typeof(TimeSpan), "1.00:00:00", "7300.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(3650);
}

public sealed class AgentCertificateOptions
{
    /// <summary>Validity of an agent TLS certificate: short, re-issued after each passing attestation.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The DNS SAN is <c>{nodeId}.{DnsSuffix}</c> (empty: no DNS SAN, only the <c>urn:attest:node:</c> URI).</summary>
    public string DnsSuffix { get; set; } = "nodes.attest.internal";

    /// <summary>Public URL of this verifier's CRL, written into issued certificates as the CRL distribution point (empty: none).</summary>
    public string? CrlUrl { get; set; }

    /// <summary>Certify only keys the node's AK certified as TPM keys (TPM2_Certify proof in the request).</summary>
    public bool RequireTpmKey { get; set; }

    /// <summary>nextUpdate of the CRL served at <c>/v1/credentials/crl</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CrlLifetime { get; set; } = TimeSpan.FromHours(1);
}

public sealed class AgentTokenOptions
{
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);
}
