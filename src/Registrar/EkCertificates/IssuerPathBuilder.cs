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

    /// <summary>
    /// Node certificates can all share one name and sign each other: without a bound the depth-first search would
    /// try every ordering of them. Signature checks are memoised per pair, and the search gives up after this
    /// many steps (real chains need a handful).
    /// </summary>
    private const int MaxSteps = 4096;

    private sealed class SearchState(Func<CaCertificate, bool> isAnchor)
    {
        public Func<CaCertificate, bool> IsAnchor { get; } = isAnchor;

        public Dictionary<(string Subject, string Issuer), bool> Verified { get; } = [];

        public int Steps { get; set; }

        public List<CaCertificate> Best { get; set; } = [];
    }

    public static IssuerPath Build(CaCertificate start, IReadOnlyList<CaCertificate> candidates, Func<CaCertificate, bool> isAnchor)
    {
        var state = new SearchState(isAnchor) { Best = [start] };
        var found = Search(start, candidates, state, [start]);
        if (found is not null)
        {
            return new IssuerPath(found, true, null);
        }

        var top = state.Best[^1];
        return new IssuerPath(state.Best, false, top.Issuer);
    }

    private static List<CaCertificate>? Search(CaCertificate certificate, IReadOnlyList<CaCertificate> candidates, SearchState state, List<CaCertificate> path)
    {
        if (path.Count > 1 && state.IsAnchor(certificate))
        {
            return [.. path];
        }

        if (path.Count > state.Best.Count)
        {
            state.Best = [.. path];
        }

        if (path.Count >= MaxDepth || ++state.Steps > MaxSteps)
        {
            return null;
        }

        // Anchors first, so a configured root wins over a node-supplied copy of an intermediate.
        foreach (var issuer in candidates.OrderByDescending(state.IsAnchor))
        {
            if (path.Exists(p => p.Sha256Thumbprint == issuer.Sha256Thumbprint)
                || !CanIssue(issuer, path.Count - 1)
                || !Issued(certificate, issuer, state))
            {
                continue;
            }

            path.Add(issuer);
            var found = Search(issuer, candidates, state, path);
            if (found is not null)
            {
                return found;
            }

            path.RemoveAt(path.Count - 1);
        }

        return null;
    }

    private static bool Issued(CaCertificate certificate, CaCertificate issuer, SearchState state)
    {
        var key = (certificate.Sha256Thumbprint, issuer.Sha256Thumbprint);
        if (!state.Verified.TryGetValue(key, out var issued))
        {
            issued = certificate.IsIssuedBy(issuer);
            state.Verified[key] = issued;
        }

        return issued;
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
