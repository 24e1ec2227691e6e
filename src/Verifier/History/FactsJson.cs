using System.Text.Json;

namespace Attest.Verifier.History;

/// <summary>Boot facts are stored and served in the API's JSON style (camelCase), so a record reads the same everywhere.</summary>
internal static class FactsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
