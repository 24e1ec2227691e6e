namespace Attest.Hooks.Tests.Stack;

/// <summary>Where the built binaries are: the repository's own build outputs, in this test run's configuration.</summary>
internal static class Repo
{
    public static readonly string Root = FindRoot();

    /// <summary>Release or Debug, whichever this test assembly was built in (the referenced projects were built alike).</summary>
    public static readonly string Configuration =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

    public static string Output(string project) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");

    /// <summary>attest-hook: the published single file when ATTEST_HOOK_BINARY names it, else the build's apphost.</summary>
    public static string Hook =>
        Environment.GetEnvironmentVariable("ATTEST_HOOK_BINARY") is { Length: > 0 } published ? published : Path.Combine(Output("Provisioning.Hooks"), "attest-hook");

    public static string IronicContrib => Path.Combine(Root, "contrib", "ironic");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Attest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Attest.sln not found above " + AppContext.BaseDirectory);
    }
}
