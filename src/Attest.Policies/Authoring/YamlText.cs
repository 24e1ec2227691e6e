using System.Text;

namespace Attest.Policies.Authoring;

/// <summary>Writes YAML by hand so that generated policies can carry comments (YamlDotNet's serializer drops them).</summary>
internal sealed class YamlText
{
    private readonly StringBuilder _text = new();

    public void Comment(int indent, string comment) => _text.Append(' ', indent).Append("# ").AppendLine(OneLine(comment));

    public void Key(int indent, string key, string? comment = null)
    {
        _text.Append(' ', indent).Append(Quote(key)).Append(':');
        EndLine(comment);
    }

    public void Scalar(int indent, string key, string value, string? comment = null, bool raw = false)
    {
        _text.Append(' ', indent).Append(Quote(key)).Append(": ").Append(raw ? value : Quote(value));
        EndLine(comment);
    }

    public void Item(int indent, string value, string? comment = null, bool raw = false)
    {
        _text.Append(' ', indent).Append("- ").Append(raw ? value : Quote(value));
        EndLine(comment);
    }

    /// <summary>A list item that is a mapping: <c>- key: value</c>.</summary>
    public void ItemScalar(int indent, string key, string value)
    {
        _text.Append(' ', indent).Append("- ").Append(Quote(key)).Append(": ").Append(Quote(value));
        EndLine(null);
    }

    public void Blank() => _text.AppendLine();

    public override string ToString() => _text.ToString();

    /// <summary>Plain keys stay plain; everything else is a double-quoted YAML string with escapes.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && char.IsAsciiLetter(value[0]) && value is not ("true" or "false" or "null" or "yes" or "no"))
        {
            return value;
        }

        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when c < 0x20 || c == 0x7F => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    private void EndLine(string? comment)
    {
        if (comment is not null)
        {
            _text.Append("  # ").Append(OneLine(comment));
        }

        _text.AppendLine();
    }

    private static string OneLine(string text) =>
        new(text.Select(c => c < 0x20 || c == 0x7F ? ' ' : c).ToArray());
}
