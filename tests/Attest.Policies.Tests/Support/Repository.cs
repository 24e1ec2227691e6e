namespace Attest.Policies.Tests.Support;

/// <summary>Files of the repository (policies/, docs/), found by walking up to Attest.sln.</summary>
internal static class Repository
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Attest.sln")))
            {
                return System.IO.Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException("Attest.sln not found above the test binaries");
    }
}
