namespace Attest.LoadTest;

/// <summary>Where the services' build output is: next to this tool's in the same repository and configuration.</summary>
internal static class RepositoryLayout
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string Root { get; } = FindRoot();

    public static string ServiceOutput(string project) =>
        Path.Combine(Root, "src", char.ToUpperInvariant(project[0]) + project[1..], "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Attest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Attest.sln not found above " + AppContext.BaseDirectory);
    }
}
