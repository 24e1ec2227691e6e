namespace Attest.Policies.Evaluation;

/// <summary>
/// A command-line rule: <c>key</c> matches the argument <c>key</c> and any <c>key=…</c>; <c>key=value</c> matches
/// exactly; a pattern with <c>*</c>/<c>?</c> is a glob over the whole argument. So <c>init</c> forbids
/// <c>init=/bin/sh</c>, while <c>console=ttyS*</c> allows only serial consoles.
/// </summary>
public sealed class KernelArgument
{
    private readonly Glob _glob;

    public KernelArgument(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        _glob = new Glob(pattern, pathAware: false);
    }

    public string Pattern { get; }

    public bool Matches(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (!_glob.IsLiteral)
        {
            return _glob.Matches(argument);
        }

        if (Pattern.Contains('=', StringComparison.Ordinal))
        {
            return string.Equals(Pattern, argument, StringComparison.Ordinal);
        }

        return string.Equals(Pattern, argument, StringComparison.Ordinal) || (argument.StartsWith(Pattern, StringComparison.Ordinal) && argument.Length > Pattern.Length && argument[Pattern.Length] == '=');
    }

    /// <summary>
    /// Splits like the kernel does (lib/cmdline.c next_arg): whitespace separates, double quotes group. The first
    /// word of a bootloader-measured line is the kernel image path, not an argument, and is left out.
    /// </summary>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in commandLine)
        {
            if (c == '"')
            {
                quoted = !quoted;
                continue;
            }

            if (char.IsWhiteSpace(c) && !quoted)
            {
                if (current.Length > 0)
                {
                    args.Add(current.ToString());
                    current.Clear();
                }

                continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            args.Add(current.ToString());
        }

        if (args.Count > 0 && (args[0].StartsWith('/') || args[0].StartsWith('(') || args[0].StartsWith('\\')) && !args[0].Contains('=', StringComparison.Ordinal))
        {
            args.RemoveAt(0);
        }

        return args;
    }
}
