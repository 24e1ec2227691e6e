using System.Security.Cryptography.X509Certificates;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// The primary chain builder: the platform's <see cref="X509Chain"/> with only the store's self-signed roots as
/// custom trust, store and node intermediates as extra certificates, no downloads (an EK certificate's AIA URL is
/// attacker-chosen) and no revocation. Validity and critical extensions are judged by the validator afterwards,
/// with EK-specific rules, so those statuses are tolerated here.
/// </summary>
internal static class DotNetChainBuilder
{
    private const X509ChainStatusFlags Tolerated = X509ChainStatusFlags.NotTimeValid
        | X509ChainStatusFlags.HasNotSupportedCriticalExtension // judged by CriticalExtensions
        | X509ChainStatusFlags.HasWeakSignature;               // judged by CryptoProfile

    public static IReadOnlyList<CaCertificate>? TryBuild(CaCertificate ek, TpmMakerRootStore store, IReadOnlyList<CaCertificate> nodeIntermediates,
        DateTime verificationTime, out string? refusal)
    {
        refusal = null;
        if (ek.DotNet is null)
        {
            refusal = ".NET could not load the EK certificate's encoding";
            return null;
        }

        var known = new Dictionary<string, CaCertificate>(StringComparer.Ordinal);
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = verificationTime;
        policy.VerificationTimeIgnored = false;
        policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        foreach (var root in store.Roots.Where(r => r.DotNet is not null))
        {
            policy.CustomTrustStore.Add(root.DotNet!);
            known.TryAdd(root.Sha256Thumbprint, root);
        }

        // Node certificates only ever go to ExtraStore: they can help build a path, never end one.
        foreach (var extra in store.Intermediates.Concat(nodeIntermediates).Where(c => c.DotNet is not null))
        {
            policy.ExtraStore.Add(extra.DotNet!);
            known.TryAdd(extra.Sha256Thumbprint, extra);
        }

        known.TryAdd(ek.Sha256Thumbprint, ek);
        var built = chain.Build(ek.DotNet);
        var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if (!built && (status & ~Tolerated) != X509ChainStatusFlags.NoError)
        {
            refusal = string.Join("; ", chain.ChainStatus.Where(s => (s.Status & ~Tolerated) != 0).Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
            return null;
        }

        var elements = new List<CaCertificate>();
        foreach (var element in chain.ChainElements)
        {
            var thumbprint = Convert.ToHexString(element.Certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
            if (!known.TryGetValue(thumbprint, out var certificate))
            {
                refusal = $"X509Chain used a certificate that was not supplied: {element.Certificate.Subject}";
                return null;
            }

            elements.Add(certificate);
        }

        // Belt and braces: whatever X509Chain says, the last element must be one of the store's anchors.
        if (elements.Count < 2 || !store.IsAnchor(elements[^1]))
        {
            refusal = "X509Chain did not end at a configured root";
            return null;
        }

        return elements;
    }
}
