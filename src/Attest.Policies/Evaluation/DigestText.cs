namespace Attest.Policies.Evaluation;

/// <summary>Digests as policies write them: hex, optionally prefixed by the algorithm (<c>sha256:ab…</c>).</summary>
public static class DigestText
{
    private static readonly Dictionary<int, string> BankByHexLength = new() { [40] = "sha1", [64] = "sha256", [96] = "sha384", [128] = "sha512" };

    private static readonly Dictionary<string, int> HexLengthByAlgorithm = new(StringComparer.Ordinal)
    {
        ["md5"] = 32, ["sha1"] = 40, ["sha224"] = 56, ["sha256"] = 64, ["sm3"] = 64, ["sha384"] = 96, ["sha512"] = 128,
    };

    /// <summary>Lowercase hex without prefix; what sets and comparisons use.</summary>
    public static string Normalize(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var colon = digest.LastIndexOf(':');
        return (colon >= 0 ? digest[(colon + 1)..] : digest).ToLowerInvariant();
    }

    /// <summary>Null when the digest can exist; otherwise why not (bad hex, or a length no algorithm has).</summary>
    public static string? Problem(string digest, bool allowAnyAlgorithm = false)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var colon = digest.LastIndexOf(':');
        var hex = colon >= 0 ? digest[(colon + 1)..] : digest;
        if (hex.Length == 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return $"'{digest}' is not hex";
        }

        if (colon >= 0)
        {
            var algorithm = digest[..colon].ToLowerInvariant();
            if (!HexLengthByAlgorithm.TryGetValue(algorithm, out var length))
            {
                return $"'{algorithm}' is not a known digest algorithm";
            }

            return hex.Length == length ? null : $"a {algorithm} digest has {length} hex digits, this one has {hex.Length}";
        }

        if (BankByHexLength.ContainsKey(hex.Length) || (allowAnyAlgorithm && HexLengthByAlgorithm.ContainsValue(hex.Length)))
        {
            return null;
        }

        return $"{hex.Length} hex digits is no digest length (40 sha1, 64 sha256, 96 sha384, 128 sha512)";
    }

    /// <summary>The PCR bank a bare hex digest belongs to, from its length.</summary>
    public static string? BankOf(string digest) => BankByHexLength.GetValueOrDefault(Normalize(digest).Length);

    /// <summary>A set of normalized digests with ordinal lookups (IMA allowlists hold tens of thousands).</summary>
    public static HashSet<string> Set(IEnumerable<string>? digests) =>
        digests is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(digests.Select(Normalize), StringComparer.Ordinal);
}
