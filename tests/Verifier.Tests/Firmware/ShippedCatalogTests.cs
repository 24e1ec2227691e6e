using Attest.Verifier.Firmware;

namespace Attest.Verifier.Tests.Firmware;

/// <summary>The firmware catalogs the repository ships (policies/firmware) are valid: security teams copy them.</summary>
public class ShippedCatalogTests
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Attest.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root (Attest.sln) not found");
    }

    public static TheoryData<string> Catalogs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "policies", "firmware"), "*.yaml"))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Catalogs))]
    public void Shipped_catalog_loads_without_problems(string file)
    {
        var (document, problems) = FirmwareCatalog.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "policies", "firmware", file)));

        Assert.Empty(problems);
        Assert.NotNull(document);
        Assert.NotEmpty(document.Releases);
    }

    [Fact]
    public void Versions_order_numerically_not_textually()
    {
        Assert.True(FirmwareCatalog.CompareVersions("2.10.0", "2.9.3") > 0);
        Assert.True(FirmwareCatalog.CompareVersions("1.0", "1.0.0") == 0);
        Assert.True(FirmwareCatalog.CompareVersions("1.2.3-rc1", "1.2.3-rc2") < 0);
    }
}
