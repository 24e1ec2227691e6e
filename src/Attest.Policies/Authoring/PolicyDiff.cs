using System.Text.Json.Nodes;
using Attest.Policies.Documents;
using Attest.Policies.Evaluation;

namespace Attest.Policies.Authoring;

/// <summary>One semantic difference between two policies: a rule value added, removed or changed, and whether that loosens or tightens.</summary>
public sealed record PolicyChange(string Change, string Path, string? Old, string? New, string Effect)
{
    public override string ToString() => Change switch
    {
        "added" => $"+ {Path}: {New}  ({Effect})",
        "removed" => $"- {Path}: {Old}  ({Effect})",
        _ => $"~ {Path}: {Old} -> {New}  ({Effect})",
    };
}

/// <summary>
/// Compares policies as rules, not text: list order, key order, quoting, digest case and comments do not count;
/// an added digest or a removed forbidden argument does.
/// </summary>
public static class PolicyDiff
{
    // Lists where an added entry makes the policy stricter; in every other list an added entry allows more.
    private static readonly HashSet<string> StricterWhenAdded = new(StringComparer.Ordinal) { "required", "forbidden", "denied", "requiredHashes", "exact", "eventRules" };

    public static IReadOnlyList<PolicyChange> Compare(Policy old, Policy @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var changes = new List<PolicyChange>();
        Node(old.Json, @new.Json, "", changes);
        return changes;
    }

    private static void Node(JsonNode? a, JsonNode? b, string path, List<PolicyChange> changes)
    {
        switch (a, b)
        {
            case (JsonObject oa, JsonObject ob):
                foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    var child = path + "/" + SourceMap.Escape(key);
                    var inA = oa.TryGetPropertyValue(key, out var va);
                    var inB = ob.TryGetPropertyValue(key, out var vb);
                    if (inA && inB)
                    {
                        Node(va, vb, child, changes);
                    }
                    else if (inA)
                    {
                        changes.Add(new PolicyChange("removed", child, Text(va), null, SectionEffect(key, added: false)));
                    }
                    else
                    {
                        changes.Add(new PolicyChange("added", child, null, Text(vb), SectionEffect(key, added: true)));
                    }
                }

                break;
            case (JsonArray la, JsonArray lb):
                var setA = la.Select(Canonical).ToHashSet(StringComparer.Ordinal);
                var setB = lb.Select(Canonical).ToHashSet(StringComparer.Ordinal);
                foreach (var removed in setA.Except(setB).Order(StringComparer.Ordinal))
                {
                    changes.Add(new PolicyChange("removed", path, removed, null, Effect(path, added: false)));
                }

                foreach (var added in setB.Except(setA).Order(StringComparer.Ordinal))
                {
                    changes.Add(new PolicyChange("added", path, null, added, Effect(path, added: true)));
                }

                break;
            default:
                var ta = a is null ? "null" : Canonical(a);
                var tb = b is null ? "null" : Canonical(b);
                if (!string.Equals(ta, tb, StringComparison.Ordinal))
                {
                    changes.Add(new PolicyChange("changed", path, ta, tb, Changed(path, ta, tb)));
                }

                break;
        }
    }

    /// <summary>An entry added to or removed from a list: stricter or looser by what the list does.</summary>
    private static string Effect(string path, bool added)
    {
        var list = path[(path.LastIndexOf('/') + 1)..];
        var stricter = StricterWhenAdded.Contains(list);
        return added == stricter ? "stricter" : "looser";
    }

    /// <summary>A whole key added or removed: a new rule restricts more, except the keys that grant exceptions.</summary>
    private static string SectionEffect(string key, bool added)
    {
        var grants = key is "allowedAnywhere" or "exclude" or "trustedKeys" or "allowViolations";
        return added != grants ? "stricter" : "looser";
    }

    private static string Changed(string path, string old, string @new) => path switch
    {
        "/secureBoot/required" or "/allowViolations" => @new == "true" == (path == "/secureBoot/required") ? "stricter" : "looser",
        "/mode" => @new == "\"allowlist\"" ? "stricter" : "looser",
        "/secureBoot/dbx/minimumHashCount" => string.CompareOrdinal(@new.PadLeft(12), old.PadLeft(12)) > 0 ? "stricter" : "looser",
        "/name" or "/version" or "/description" => "metadata",
        _ => "changed",
    };

    /// <summary>Digests compare case-insensitively and without their algorithm prefix; objects by their canonical JSON.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => DigestText.Problem(s, true) is null ? DigestText.Normalize(s) : s,
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical).Order(StringComparer.Ordinal)) + "]",
        _ => node.ToJsonString(),
    };

    private static string? Text(JsonNode? node) => node is null ? "null" : Canonical(node);
}
