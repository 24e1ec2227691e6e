using Attest.Tpm.Tests.Swtpm;

namespace Attest.EndToEnd.Tests;

/// <summary>Root-store folders for the registrar: swtpm's local CA (trusted), or an unrelated CA (untrusted).</summary>
public static class TpmCaFolder
{
    public static async Task<string> SwtpmLocalCaAsync()
    {
        var manufacturer = await SwtpmManufacturer.GetSharedAsync();
        var folder = Directory.CreateTempSubdirectory("attest-tpm-ca-").FullName;
        File.Copy(manufacturer.RootCaCertificatePath, Path.Combine(folder, "swtpm-root.pem"));
        File.Copy(manufacturer.IssuerCertificatePath, Path.Combine(folder, "swtpm-issuer.pem"));
        return folder;
    }

    public static string Unrelated()
    {
        var folder = Directory.CreateTempSubdirectory("attest-tpm-ca-other-").FullName;
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Some other TPM maker root", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        File.WriteAllText(Path.Combine(folder, "other-root.pem"), root.ExportCertificatePem());
        return folder;
    }
}
