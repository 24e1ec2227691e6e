namespace Attest.Policies.Evaluation;

/// <summary>
/// Shell-style globs: <c>?</c> one character, <c>*</c> any run, and for paths <c>*</c> stops at '/' while <c>**</c>
/// crosses it. No character classes: authors write exact names or wildcards, nothing that needs escaping rules.
/// </summary>
public sealed class Glob
{
    private readonly string _pattern;
    private readonly bool _pathAware;

    public Glob(string pattern, bool pathAware)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _pattern = pattern;
        _pathAware = pathAware;
        IsLiteral = pattern.AsSpan().IndexOfAny('*', '?') < 0;
    }

    public string Pattern => _pattern;

    public bool IsLiteral { get; }

    public bool Matches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsLiteral ? string.Equals(_pattern, text, StringComparison.Ordinal) : Match(_pattern.AsSpan(), text.AsSpan());
    }

    private bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        while (pattern.Length > 0)
        {
            var c = pattern[0];
            if (c == '*')
            {
                var crossesSlash = !_pathAware || (pattern.Length > 1 && pattern[1] == '*');
                var rest = pattern[(crossesSlash && _pathAware ? 2 : 1)..];
                for (var i = 0; i <= text.Length; i++)
                {
                    if (Match(rest, text[i..]))
                    {
                        return true;
                    }

                    if (i < text.Length && !crossesSlash && text[i] == '/')
                    {
                        return false;
                    }
                }

                return false;
            }

            if (text.Length == 0 || (c != '?' && c != text[0]) || (c == '?' && _pathAware && text[0] == '/'))
            {
                return false;
            }

            pattern = pattern[1..];
            text = text[1..];
        }

        return text.Length == 0;
    }
}
