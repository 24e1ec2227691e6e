namespace Attest.Tpm.Tests.Swtpm;

/// <summary>
/// Whether swtpm-backed tests can run here. On a developer machine without swtpm they are skipped
/// with a message saying what to install; with <c>CI=true</c> they are not skipped, so a CI
/// machine missing swtpm fails loudly instead of passing with nothing tested.
/// </summary>
public static class SwtpmEnvironment
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SwtpmPath { get; } = FindOnPath("swtpm");

    public static string? SwtpmSetupPath { get; } = FindOnPath("swtpm_setup");

    public static string? LocalCaPath { get; } = FindOnPath("swtpm_localca");

    public static bool IsAvailable => SwtpmPath is not null && SwtpmSetupPath is not null && LocalCaPath is not null;

    /// <summary>tpm2-tools (the independent oracle for cross-checks).</summary>
    public static bool HasTpm2Tools { get; } = FindOnPath("tpm2_checkquote") is not null;

    /// <summary>Null when the tests should run (swtpm present, or CI where absence must fail).</summary>
    public static string? SkipReason => SkipReasonFor(IsAvailable, IsCi);

    /// <summary>Null when tpm2-tools cross-checks should run.</summary>
    public static string? Tpm2ToolsSkipReason => SkipReason ?? (HasTpm2Tools || IsCi
        ? null
        : "tpm2-tools is not installed (apt-get install tpm2-tools); set CI=true to make this a failure");

    /// <summary>The rule behind <see cref="SkipReason"/>: skip only when swtpm is missing outside CI.</summary>
    public static string? SkipReasonFor(bool isAvailable, bool isCi) => isAvailable || isCi
        ? null
        : "swtpm is not installed (apt-get install swtpm swtpm-tools tpm2-tools); set CI=true to make this a failure";

    /// <summary>Throws with the install hint; called where a test would otherwise hit a confusing error.</summary>
    public static void RequireSwtpm()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException("swtpm, swtpm_setup and swtpm_localca are required (apt-get install swtpm swtpm-tools)");
        }
    }

    internal static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs swtpm: skipped without it, except under CI=true where it fails.</summary>
public sealed class SwtpmFactAttribute : FactAttribute
{
    public SwtpmFactAttribute() => Skip = SwtpmEnvironment.SkipReason!;
}

/// <summary>A theory that needs swtpm (same skip rule as <see cref="SwtpmFactAttribute"/>).</summary>
public sealed class SwtpmTheoryAttribute : TheoryAttribute
{
    public SwtpmTheoryAttribute() => Skip = SwtpmEnvironment.SkipReason!;
}

/// <summary>A fact that needs swtpm and tpm2-tools.</summary>
public sealed class Tpm2ToolsFactAttribute : FactAttribute
{
    public Tpm2ToolsFactAttribute() => Skip = SwtpmEnvironment.Tpm2ToolsSkipReason!;
}

/// <summary>A theory that needs swtpm and tpm2-tools.</summary>
public sealed class Tpm2ToolsTheoryAttribute : TheoryAttribute
{
    public Tpm2ToolsTheoryAttribute() => Skip = SwtpmEnvironment.Tpm2ToolsSkipReason!;
}
