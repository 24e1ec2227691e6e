namespace Attest.Tpm.Tests.TestData;

/// <summary>
/// Finds the shared test data (<c>shared/testdata</c>, a sibling of the repository root, not committed
/// here): walk up from the test binaries to the folder holding Attest.sln, then <c>../shared/testdata</c>.
/// <c>ATTEST_SHARED_TESTDATA</c> overrides it. Tests that need it are skipped, visibly, when it is absent.
/// </summary>
public static class SharedTestData
{
    public const string EnvironmentVariable = "ATTEST_SHARED_TESTDATA";

    private static readonly Lazy<string?> RootPath = new(Locate);

    /// <summary>The folder, or null when it cannot be found.</summary>
    public static string? Root => RootPath.Value;

    public static string SkipReason =>
        $"shared test data not found (set {EnvironmentVariable} or place it at ../shared/testdata next to the repository): skipped";

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new InvalidOperationException(SkipReason), .. parts]);

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? System.IO.Path.GetFullPath(fromEnvironment) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Attest.sln")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "testdata"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is reported as skipped (not silently passed) when the shared test data is missing.</summary>
public sealed class SharedTestDataFactAttribute : FactAttribute
{
    public SharedTestDataFactAttribute()
    {
        if (SharedTestData.Root is null)
        {
            Skip = SharedTestData.SkipReason;
        }
    }
}

/// <summary>A theory that is reported as skipped (not silently passed) when the shared test data is missing.</summary>
public sealed class SharedTestDataTheoryAttribute : TheoryAttribute
{
    public SharedTestDataTheoryAttribute()
    {
        if (SharedTestData.Root is null)
        {
            Skip = SharedTestData.SkipReason;
        }
    }
}
