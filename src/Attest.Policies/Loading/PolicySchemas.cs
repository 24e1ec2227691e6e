using System.Collections.Concurrent;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Attest.Policies.Loading;

/// <summary>The JSON Schemas of policies/schema, embedded in this assembly so the loader and the shipped files agree.</summary>
public static class PolicySchemas
{
    private static readonly ConcurrentDictionary<string, JsonSchema> Cache = new(StringComparer.Ordinal);

    /// <summary>The schema text for <paramref name="kind"/>, or null for an unknown kind.</summary>
    public static string? Text(string kind)
    {
        using var stream = typeof(PolicySchemas).Assembly.GetManifestResourceStream($"Attest.Policies.Schema.{kind}.schema.json");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static JsonSchema? For(string kind)
    {
        if (Cache.TryGetValue(kind, out var cached))
        {
            return cached;
        }

        if (Text(kind) is not { } text)
        {
            return null;
        }

        // Parsing a self-contained schema does no I/O, so this wait completes at once.
        var schema = JsonSchema.FromJsonAsync(text).GetAwaiter().GetResult();
        return Cache.GetOrAdd(kind, schema);
    }

    internal static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var nested in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return error;
            }
        }
    }
}
