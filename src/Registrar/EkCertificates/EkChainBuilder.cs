namespace Attest.Registrar.EkCertificates;

/// <summary>What chain building found: the chain (leaf first, anchor last) or where it stopped.</summary>
internal sealed record ChainOutcome(IReadOnlyList<CaCertificate>? Chain, string Builder, string? PlatformRefusal, CaCertificate Top, string? MissingIssuer);

/// <summary>
/// X509Chain first (the platform's RFC 5280 path validation, custom root trust); when it refuses, the fallback
/// builder, which accepts what real EK chains need (configured non-self-signed anchors, AKI issuer/serial that
/// names a predecessor certificate, encodings .NET cannot load) and nothing a node could use to supply its own
/// anchor: anchors are only ever store certificates.
/// </summary>
internal static class EkChainBuilder
{
    public static ChainOutcome Build(CaCertificate leaf, TpmMakerRootStore store, IReadOnlyList<CaCertificate> nodeIntermediates, DateTime now)
    {
        var chain = DotNetChainBuilder.TryBuild(leaf, store, nodeIntermediates, now, out var refusal);
        if (chain is not null)
        {
            return new ChainOutcome(chain, "x509chain", null, chain[^1], null);
        }

        var path = IssuerPathBuilder.Build(leaf, [.. store.Certificates, .. nodeIntermediates], store.IsAnchor);
        return path.ReachedAnchor
            ? new ChainOutcome(path.Chain, "fallback", refusal, path.Chain[^1], null)
            : new ChainOutcome(null, "fallback", refusal, path.Chain[^1], path.MissingIssuer);
    }
}
