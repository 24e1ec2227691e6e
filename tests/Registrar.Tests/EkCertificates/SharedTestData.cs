namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// Finds <c>shared/testdata</c>: the sibling of the repository root (the folder holding Attest.sln), or the path
/// in <c>ATTEST_SHARED_TESTDATA</c>. Null when absent: tests that need it are skipped, not failed.
/// </summary>
internal static class SharedTestData
{
    public const string Variable = "ATTEST_SHARED_TESTDATA";

    public static string? Directory { get; } = Locate();

    public static string? TpmCa => Directory is null ? null : Path.Combine(Directory, "tpm-ca");

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Attest.sln")))
            {
                var shared = folder.Parent is null ? null : Path.Combine(folder.Parent.FullName, "shared", "testdata");
                return shared is not null && System.IO.Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped at discovery, with the reason, when <c>shared/testdata/tpm-ca</c> is not there.</summary>
public sealed class SharedTpmCaFactAttribute : FactAttribute
{
    public SharedTpmCaFactAttribute()
    {
        if (SharedTestData.TpmCa is null || !System.IO.Directory.Exists(SharedTestData.TpmCa))
        {
            Skip = $"shared/testdata/tpm-ca not found (looked beside the folder holding Attest.sln; set {SharedTestData.Variable} to point elsewhere)";
        }
    }
}
