namespace Attest.Registrar.EkCertificates;

/// <summary>The path found from a certificate upwards; <see cref="MissingIssuer"/> names where it stopped when no anchor was reached.</summary>
internal sealed record IssuerPath(IReadOnlyList<CaCertificate> Chain, bool ReachedAnchor, string? MissingIssuer);

/// <summary>
/// The fallback path builder: issuer by name, then the issuer's key must verify the signature over the bytes
/// received, the issuer must be a CA allowed to sign certificates (RFC 5280 §6.1.4 (k), (l), (n)). It exists
/// because OpenSSL-backed <c>X509Chain</c> refuses real EK chains: non-self-signed anchors, and intermediates
/// whose authorityKeyIdentifier names another issuer serial than the CA certificate configured.
/// </summary>
internal static class IssuerPathBuilder
{
    /// <summary>Real EK chains are 2–4 long; a bound keeps a hostile set of node certificates from looping or fanning out.</summary>
    private const int MaxDepth = 8;

    public static IssuerPath Build(CaCertificate start, IReadOnlyList<CaCertificate> candidates, Func<CaCertificate, bool> isAnchor)
    {
        var best = new List<CaCertificate> { start };
        var current = new List<CaCertificate> { start };
        var found = Search(start, candidates, isAnchor, current, ref best);
        if (found is not null)
        {
            return new IssuerPath(found, true, null);
        }

        var top = best[^1];
        return new IssuerPath(best, false, top.Issuer);
    }

    private static List<CaCertificate>? Search(CaCertificate certificate, IReadOnlyList<CaCertificate> candidates, Func<CaCertificate, bool> isAnchor,
        List<CaCertificate> path, ref List<CaCertificate> best)
    {
        if (path.Count > 1 && isAnchor(certificate))
        {
            return [.. path];
        }

        if (path.Count > best.Count)
        {
            best = [.. path];
        }

        if (path.Count >= MaxDepth)
        {
            return null;
        }

        // Anchors first, so a configured root wins over a node-supplied copy of an intermediate.
        foreach (var issuer in candidates.OrderByDescending(isAnchor))
        {
            if (path.Exists(p => p.Sha256Thumbprint == issuer.Sha256Thumbprint)
                || !CanIssue(issuer, path.Count - 1)
                || !certificate.IsIssuedBy(issuer))
            {
                continue;
            }

            path.Add(issuer);
            var found = Search(issuer, candidates, isAnchor, path, ref best);
            if (found is not null)
            {
                return found;
            }

            path.RemoveAt(path.Count - 1);
        }

        return null;
    }

    /// <summary>cA set (v3), keyCertSign when keyUsage is present, and pathLenConstraint not exceeded.</summary>
    internal static bool CanIssue(CaCertificate issuer, int intermediatesBelow)
    {
        var bc = issuer.Bc;
        if (bc.Version >= 3)
        {
            var pathLength = bc.GetBasicConstraints();
            if (pathLength < 0 || pathLength < intermediatesBelow)
            {
                return false;
            }
        }

        var keyUsage = bc.GetKeyUsage();
        return keyUsage is null || (keyUsage.Length > 5 && keyUsage[5]);
    }
}
