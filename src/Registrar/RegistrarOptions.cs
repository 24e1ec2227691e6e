using System.ComponentModel.DataAnnotations;

namespace Attest.Registrar;

/// <summary>Configuration section <c>Registrar</c> (every key documented in appsettings.json).</summary>
public sealed class RegistrarOptions
{
    public const string SectionName = "Registrar";

    /// <summary>
    /// Node ids allowed to enroll an EK that has no certificate (swtpm in development, some servers); <c>*</c> allows
    /// every node — never in production.
    /// </summary>
    public List<string> AllowEkWithoutCertificate { get; set; } = [];

    /// <summary>How long a MakeCredential challenge may be answered.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Default validity of an operator's EK-replacement allowance.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan EkReplacementLifetime { get; set; } = TimeSpan.FromDays(1);

    public bool AllowsEkWithoutCertificate(string nodeId) =>
        AllowEkWithoutCertificate.Contains("*") || AllowEkWithoutCertificate.Contains(nodeId, StringComparer.Ordinal);
}
