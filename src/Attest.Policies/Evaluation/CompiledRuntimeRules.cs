using System.Security.Cryptography;
using Attest.Policies.Documents;

namespace Attest.Policies.Evaluation;

/// <summary>
/// A runtime policy turned into lookup structures once (hash sets keyed by normalized hex), so judging a
/// 100,000-entry log costs a few dictionary probes per entry, not a scan of the policy.
/// </summary>
internal sealed class CompiledRuntimeRules
{
    public CompiledRuntimeRules(RuntimeRules rules)
    {
        Rules = rules;
        Exclude = (rules.Exclude ?? []).Select(g => new Glob(g, pathAware: true)).ToArray();
        ExcludeLiterals = new HashSet<string>(Exclude.Where(g => g.IsLiteral).Select(g => g.Pattern), StringComparer.Ordinal);
        ExcludeGlobs = Exclude.Where(g => !g.IsLiteral).ToArray();
        PerPath = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (path, digests) in rules.Digests ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            PerPath[path] = DigestText.Set(digests);
        }

        Anywhere = DigestText.Set(rules.AllowedAnywhere);
        Denied = DigestText.Set(rules.Denied);
        Keys = (rules.TrustedKeys ?? []).Select((k, i) => (k.KeyId.ToLowerInvariant(), ImaSignatures.ImportKey(k.PublicKey), i))
            .Where(k => k.Item2 is not null)
            .GroupBy(k => k.Item1, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(k => (k.Item2!, k.i)).ToArray(), StringComparer.Ordinal);
        Buffers = (rules.Buffers ?? []).Select(b => (new Glob(b.Name, pathAware: false), DigestText.Set(b.Digests))).ToArray();
    }

    public RuntimeRules Rules { get; }

    public Glob[] Exclude { get; }

    public HashSet<string> ExcludeLiterals { get; }

    public Glob[] ExcludeGlobs { get; }

    public Dictionary<string, HashSet<string>> PerPath { get; }

    public HashSet<string> Anywhere { get; }

    public HashSet<string> Denied { get; }

    public Dictionary<string, (AsymmetricAlgorithm Key, int Index)[]> Keys { get; }

    public (Glob Name, HashSet<string> Digests)[] Buffers { get; }

    public bool IsExcluded(string path)
    {
        if (ExcludeLiterals.Contains(path))
        {
            return true;
        }

        foreach (var glob in ExcludeGlobs)
        {
            if (glob.Matches(path))
            {
                return true;
            }
        }

        return false;
    }
}
