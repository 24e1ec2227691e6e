using System.ComponentModel.DataAnnotations;

namespace Attest.Verifier;

/// <summary>Configuration section <c>Verifier</c> (every key documented in appsettings.json).</summary>
public sealed class VerifierOptions
{
    public const string SectionName = "Verifier";

    /// <summary>PCRs a session asks for when the caller names none (tpm2-tools syntax).</summary>
    public string DefaultPcrSelection { get; set; } = "sha256:0,1,2,3,4,5,6,7,8,9,10,14";

    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan MaxSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest evidence submission accepted (event log + IMA log dominate).</summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxEvidenceBytes { get; set; } = 64L * 1024 * 1024;

    public RegistrarClientOptions Registrar { get; set; } = new();

    public BaselineOptions Baseline { get; set; } = new();

    public EvidenceRetentionOptions Evidence { get; set; } = new();

    public FirmwareOptions Firmware { get; set; } = new();

    public Credentials.CredentialsOptions Credentials { get; set; } = new();

    public Notifications.NotificationOptions Notifications { get; set; } = new();
}

public sealed class FirmwareOptions
{
    /// <summary>Folder of firmware catalog documents (YAML/JSON), relative to the content root.</summary>
    public string CatalogDirectory { get; set; } = "policies/firmware";

    /// <summary>How long a change window stays open when the caller names no expiry.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan DefaultWindowLifetime { get; set; } = TimeSpan.FromHours(4);

    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan MaxWindowLifetime { get; set; } = TimeSpan.FromDays(7);
}

public sealed class RegistrarClientOptions
{
    /// <summary>Base URL of the registrar (e.g. <c>https://registrar:8441</c>).</summary>
    public string Url { get; set; } = "https://127.0.0.1:8441";

    /// <summary>An API key with the <c>auditor</c> role on the registrar.</summary>
    public string? ApiKey { get; set; }

    /// <summary>File holding that key (used when <see cref="ApiKey"/> is empty); defaults to the shared bootstrap key.</summary>
    public string ApiKeyFile { get; set; } = "data/admin.key";

    /// <summary>
    /// Certificate (PEM/DER/PFX) to trust for the registrar's TLS in addition to the system roots — a private CA or the
    /// registrar's development certificate. Defaults to the registrar's generated development certificate.
    /// </summary>
    public string? TrustedCertificate { get; set; } = "data/tls/registrar-dev.pfx";

    /// <summary>How long a node's AK is cached (an AK changes only on re-enrollment).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class BaselineOptions
{
    /// <summary>PCRs (in every quoted bank) that must equal the baseline's exactly.</summary>
    public List<int> Pcrs { get; set; } = [0, 1, 2, 3, 4, 5, 6, 7];

    /// <summary>A node without an approved baseline fails with <c>baseline.missing</c> (off: it passes with a warning).</summary>
    public bool Required { get; set; } = true;
}

public sealed class EvidenceRetentionOptions
{
    /// <summary>Raw evidence kept for the last N attestations of each node (0: none), for dry runs and investigations.</summary>
    [Range(0, 10000)]
    public int RetainPerNode { get; set; } = 20;
}
