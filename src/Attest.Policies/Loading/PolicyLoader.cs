using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Policies.Documents;
using NJsonSchema.Validation;
using YamlDotNet.Core;

namespace Attest.Policies.Loading;

/// <summary>The outcome of loading: a policy, or every error found (never both).</summary>
public sealed record PolicyLoadResult(Policy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool Succeeded => Policy is not null;
}

/// <summary>
/// Loads a policy from YAML or JSON text: syntax, then the kind's JSON Schema, then semantic checks. Each error
/// names the JSON pointer and the line/column it starts at, so an author can go straight to it.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Larger documents are refused before parsing (a 10,000-digest allowlist is well under 2 MB).</summary>
    public const int MaxDocumentChars = 16 * 1024 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static PolicyLoadResult LoadFile(string path) => Load(File.ReadAllText(path), Path.GetFileName(path));

    public static PolicyLoadResult Load(string text, string fileName = "policy.yaml")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxDocumentChars)
        {
            return Fail(new PolicyError(PolicyErrorCodes.Syntax, $"the document is larger than {MaxDocumentChars} characters", "", null, null));
        }

        JsonNode? root;
        SourceMap map;
        try
        {
            (root, map) = YamlToJson.Convert(text);
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is { } inner ? $"{ex.Message}: {inner.Message}" : ex.Message;
            return Fail(new PolicyError(PolicyErrorCodes.Syntax, Strip(message), "", (int)ex.Start.Line, (int)ex.Start.Column));
        }

        if (root is not JsonObject obj)
        {
            return Fail(new PolicyError(PolicyErrorCodes.Schema, "a policy is a mapping with kind, name, version and description", "", 1, 1));
        }

        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (kind is null || PolicySchemas.For(kind) is not { } schema)
        {
            var at = map.Find("/kind") ?? (1, 1);
            return Fail(new PolicyError(PolicyErrorCodes.UnknownKind,
                $"kind must be one of: {string.Join(", ", PolicyKinds.All)}", "/kind", at.Line, at.Column));
        }

        var errors = PolicySchemas.Flatten(schema.Validate(obj.ToJsonString())).Select(e => SchemaError(e, map)).Distinct().ToList();
        if (errors.Count > 0)
        {
            return new PolicyLoadResult(null, errors.OrderBy(e => e.Line ?? 0).ThenBy(e => e.Column ?? 0).ToList());
        }

        var policy = new Policy
        {
            Kind = kind,
            Name = obj["name"]!.GetValue<string>(),
            Version = obj["version"]!.ToString(),
            Description = obj["description"]!.GetValue<string>(),
            MeasuredBoot = kind == PolicyKinds.MeasuredBoot ? obj.Deserialize<MeasuredBootRules>(Json) : null,
            Runtime = kind == PolicyKinds.Runtime ? obj.Deserialize<RuntimeRules>(Json) : null,
            FileName = fileName,
            Source = text,
            Json = obj,
            Map = map,
        };
        var semantic = SemanticValidator.Validate(policy);
        return semantic.Count > 0 ? new PolicyLoadResult(null, semantic) : new PolicyLoadResult(policy, []);
    }

    private static PolicyLoadResult Fail(PolicyError error) => new(null, [error]);

    private static PolicyError SchemaError(ValidationError error, SourceMap map)
    {
        var pointer = Pointer(error.Path);
        var unknown = error.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed;
        var code = unknown ? PolicyErrorCodes.UnknownKey : PolicyErrorCodes.Schema;
        var message = unknown
            ? $"unknown key '{error.Property}' (see policies/schema and docs/policies.md for the keys this section takes)"
            : $"{Describe(error.Kind)}{(error.Property is { Length: > 0 } p && !unknown ? $" ('{p}')" : "")}";
        var at = map.Find(pointer);
        return new PolicyError(code, message, pointer, at?.Line, at?.Column);
    }

    /// <summary>NJsonSchema paths look like <c>#/kernel/commandLine.forbidden[0]</c>; turn them into JSON pointers.</summary>
    internal static string Pointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#")
        {
            return "";
        }

        var text = path.StartsWith('#') ? path[1..] : path;
        var result = new System.Text.StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '[')
            {
                var end = text.IndexOf(']', i);
                result.Append('/').Append(text, i + 1, end - i - 1);
                i = end + 1;
            }
            else if (c is '/' or '.')
            {
                result.Append('/');
                i++;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }

        return result.ToString();
    }

    private static string Describe(ValidationErrorKind kind) => kind switch
    {
        ValidationErrorKind.PropertyRequired => "required key is missing",
        ValidationErrorKind.PatternMismatch => "value does not have the required form (hex digest, thumbprint, name or argument pattern)",
        ValidationErrorKind.NotInEnumeration => "value is not one of the allowed values",
        ValidationErrorKind.StringExpected => "a string is expected",
        ValidationErrorKind.IntegerExpected => "an integer is expected",
        ValidationErrorKind.BooleanExpected => "true or false is expected",
        ValidationErrorKind.ArrayExpected => "a list is expected",
        ValidationErrorKind.ObjectExpected => "a mapping is expected",
        ValidationErrorKind.NumberTooBig => "the number is too big",
        ValidationErrorKind.NumberTooSmall => "the number is too small",
        ValidationErrorKind.ItemsNotUnique => "the list has duplicate entries",
        ValidationErrorKind.TooFewItems => "the list needs more entries",
        ValidationErrorKind.StringTooShort => "the string is empty",
        _ => $"schema violation: {kind}",
    };

    private static string Strip(string message) => message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
