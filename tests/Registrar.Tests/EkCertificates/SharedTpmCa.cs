using Attest.Tpm.Tests.TestData;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>The real TPM makers' CA certificates in <c>shared/testdata/tpm-ca</c> (located by <see cref="SharedTestData"/>).</summary>
internal static class SharedTpmCa
{
    public static string? Directory => SharedTestData.Root is { } root && System.IO.Directory.Exists(Path.Combine(root, "tpm-ca"))
        ? Path.Combine(root, "tpm-ca")
        : null;
}

/// <summary>A fact that is skipped at discovery, with the reason, when <c>shared/testdata/tpm-ca</c> is not there.</summary>
public sealed class SharedTpmCaFactAttribute : FactAttribute
{
    public SharedTpmCaFactAttribute()
    {
        if (SharedTpmCa.Directory is null)
        {
            Skip = $"shared/testdata/tpm-ca not found ({SharedTestData.SkipReason})";
        }
    }
}
