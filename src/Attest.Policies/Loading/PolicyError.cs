namespace Attest.Policies.Loading;

/// <summary>Why a document is not a usable policy, and where: a JSON pointer and, where known, the line and column.</summary>
public sealed record PolicyError(string Code, string Message, string Path, int? Line, int? Column)
{
    public override string ToString() =>
        Line is { } line ? $"{line}:{Column}: {Path}: {Message} ({Code})" : $"{Path}: {Message} ({Code})";
}

/// <summary>Stable codes for load-time errors (distinct from evaluation codes, which judge machines).</summary>
public static class PolicyErrorCodes
{
    public const string Syntax = "policy.syntax_error";
    public const string Schema = "policy.schema_violation";
    public const string UnknownKey = "policy.unknown_key";
    public const string UnknownKind = "policy.unknown_kind";
    public const string InvalidDigest = "policy.invalid_digest";
    public const string Contradiction = "policy.contradictory_rules";
    public const string InvalidKey = "policy.invalid_key";
    public const string InvalidPattern = "policy.invalid_pattern";
}
