namespace Attest.Policies.Documents;

/// <summary>
/// A loaded, validated policy: the typed rules plus the source they came from, so that every finding can point
/// back to the line an author wrote.
/// </summary>
public sealed class Policy
{
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string Description { get; init; }

    /// <summary>Set when <see cref="Kind"/> is measured-boot.</summary>
    public MeasuredBootRules? MeasuredBoot { get; init; }

    /// <summary>Set when <see cref="Kind"/> is runtime.</summary>
    public RuntimeRules? Runtime { get; init; }

    /// <summary>The file name the policy was loaded from (for <c>file:line</c> in findings).</summary>
    public required string FileName { get; init; }

    /// <summary>The document exactly as written; stored and hashed as is.</summary>
    public required string Source { get; init; }

    /// <summary>The document as JSON, with keys as written: what diff and dry-run compare.</summary>
    public required System.Text.Json.Nodes.JsonObject Json { get; init; }

    public required SourceMap Map { get; init; }

    /// <summary><c>file:line:column</c> of a rule's JSON pointer, or of its nearest parent that has a position.</summary>
    public string Locate(string pointer) => Map.Describe(FileName, pointer);
}
