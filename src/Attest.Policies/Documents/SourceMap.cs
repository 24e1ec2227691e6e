using System.Globalization;

namespace Attest.Policies.Documents;

/// <summary>Where each JSON pointer of a document starts in its source text (1-based line and column).</summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    internal void Add(string pointer, int line, int column) => _positions.TryAdd(pointer, (line, column));

    /// <summary>The position of <paramref name="pointer"/>, or of its nearest ancestor that has one.</summary>
    public (int Line, int Column)? Find(string pointer)
    {
        var current = pointer;
        while (true)
        {
            if (_positions.TryGetValue(current, out var position))
            {
                return position;
            }

            if (current.Length == 0)
            {
                return null;
            }

            var slash = current.LastIndexOf('/');
            current = slash <= 0 ? "" : current[..slash];
        }
    }

    public string Describe(string fileName, string pointer) =>
        Find(pointer) is { } p ? string.Create(CultureInfo.InvariantCulture, $"{fileName}:{p.Line}:{p.Column}") : fileName;

    /// <summary>RFC 6901 escaping: runtime policies key by file path, which contains '/'.</summary>
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
}
