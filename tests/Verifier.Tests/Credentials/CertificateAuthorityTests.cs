using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Swtpm;
using Attest.Verifier.Credentials;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Tests.Credentials;

/// <summary>The agent CA's key at rest: generated once, encrypted with PBES2, owner-only, and refused otherwise.</summary>
public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("attest-ca-").FullName;

    private CertificateAuthority Open(string? password = "a-configured-secret-for-tests", string algorithm = "ecdsa-p384", CryptoProfile? profile = null)
    {
        var options = new VerifierOptions();
        options.Credentials.Ca.Directory = "ca";
        options.Credentials.Ca.KeyPassword = password;
        options.Credentials.Ca.KeyPasswordFile = "secret/ca-key.secret";
        options.Credentials.Ca.KeyAlgorithm = algorithm;
        return new CertificateAuthority(Options.Create(options), profile ?? CryptoProfile.Default,
            new HostingEnvironment { ContentRootPath = _root }, TimeProvider.System, NullLogger<CertificateAuthority>.Instance);
    }

    private string KeyPath => Path.Combine(_root, "ca", "ca.key.pem");

    [Fact]
    public async Task Generated_key_is_owner_only_and_encrypted_with_aes256_and_pbkdf2_sha256()
    {
        string thumbprint;
        using (var ca = Open())
        {
            thumbprint = ca.Certificate.Thumbprint;
            using var ec = ca.Certificate.GetECDsaPublicKey();
            Assert.Equal(384, ec!.KeySize);
            Assert.True(ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        }

        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(KeyPath), StringComparison.Ordinal);
        // An independent parser names the at-rest scheme.
        var (_, asn1) = await ProcessRunner.RunAsync("openssl", ["asn1parse", "-in", KeyPath], null, TimeSpan.FromSeconds(30));
        Assert.Contains("PBES2", asn1, StringComparison.Ordinal);
        Assert.Contains("PBKDF2", asn1, StringComparison.Ordinal);
        Assert.Contains("hmacWithSHA256", asn1, StringComparison.Ordinal);
        Assert.Contains("aes-256-cbc", asn1, StringComparison.Ordinal);

        using var reloaded = Open();
        Assert.Equal(thumbprint, reloaded.Certificate.Thumbprint);
    }

    [Fact]
    public void Group_readable_key_stops_start_up()
    {
        Open().Dispose();
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = Assert.Throws<InvalidOperationException>(() => Open());
        Assert.Contains("group or others", error.Message, StringComparison.Ordinal);
        Assert.Contains("640", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_secret_stops_start_up()
    {
        Open().Dispose();

        var error = Assert.Throws<InvalidOperationException>(() => Open("not-the-secret"));

        Assert.Contains("cannot be decrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_secret_is_generated_owner_only_and_reused()
    {
        string thumbprint;
        using (var ca = Open(password: null))
        {
            thumbprint = ca.Certificate.Thumbprint;
        }

        var secretPath = Path.Combine(_root, "secret", "ca-key.secret");
        Assert.True(File.Exists(secretPath));
        Assert.True(Convert.FromBase64String(File.ReadAllText(secretPath)).Length == 32);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretPath));
        }

        using var reloaded = Open(password: null);
        Assert.Equal(thumbprint, reloaded.Certificate.Thumbprint);
    }

    [Fact]
    public void Rsa3072_ca_is_accepted_by_the_fips_profile()
    {
        using var ca = Open(algorithm: "rsa-3072", profile: CryptoProfile.Fips);

        using var rsa = ca.Certificate.GetRSAPublicKey();
        Assert.Equal(3072, rsa!.KeySize);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
