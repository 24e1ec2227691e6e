using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Registrar.EkCertificates;
using Attest.Tpm.Tests.Support;

namespace Attest.Registrar.Tests.EkCertificates;

public sealed class TpmMakerRootStoreTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly FakeTpmMaker _maker = FakeTpmMaker.Rsa();

    public void Dispose()
    {
        _maker.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void Pem_bundle_der_files_and_subfolders_all_load_and_are_classified()
    {
        using var ecc = FakeTpmMaker.Ecc();
        File.WriteAllText(_folder.File("bundle.pem"), "Certificate:\n    Data: (text dump as openssl prints it)\n" + _maker.Root.ExportCertificatePem() + "\n" + _maker.Intermediate.ExportCertificatePem());
        Directory.CreateDirectory(_folder.File("ecc"));
        File.WriteAllBytes(Path.Combine(_folder.File("ecc"), "root.cer"), ecc.Root.RawData);
        File.WriteAllBytes(Path.Combine(_folder.File("ecc"), "ca.der"), ecc.Intermediate.RawData);
        File.WriteAllText(_folder.File("README.md"), "not a certificate");

        var store = TpmMakerRootStore.Load(_folder.Path);

        Assert.Empty(store.Problems);
        Assert.Equal(4, store.Certificates.Count);
        Assert.Equal(2, store.Roots.Count);
        Assert.Equal(2, store.Intermediates.Count);
        Assert.Empty(store.Unrooted);
        Assert.Contains(store.Certificates, c => c.Origin == "bundle.pem#2");
    }

    [Fact]
    public void Private_key_in_the_folder_is_never_loaded_and_is_reported()
    {
        using var key = RSA.Create(2048);
        File.WriteAllText(_folder.File("root-and-key.pem"), _maker.Root.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(_folder.File("key-only.pem"), key.ExportRSAPrivateKeyPem());

        var store = TpmMakerRootStore.Load(_folder.Path);

        Assert.Single(store.Certificates);
        Assert.False(store.Certificates[0].DotNet!.HasPrivateKey);
        Assert.Contains(store.Problems, p => p.File == "root-and-key.pem" && p.Reason.Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.Contains(store.Problems, p => p.File == "key-only.pem" && p.Reason.Contains("no CERTIFICATE block", StringComparison.Ordinal));
    }

    [Fact]
    public void Unreadable_files_are_reported_with_the_reason_instead_of_failing()
    {
        _maker.WriteTo(_folder.Path);
        File.WriteAllBytes(_folder.File("garbage.der"), [0x30, 0x82, 0x01, 0x00, 0x01]);
        File.WriteAllText(_folder.File("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        File.WriteAllBytes(_folder.File("empty.crt"), []);

        var store = TpmMakerRootStore.Load(_folder.Path);

        Assert.Equal(2, store.Certificates.Count);
        Assert.Equal(["broken.pem", "empty.crt", "garbage.der"], store.Problems.Select(p => p.File).Order(StringComparer.Ordinal));
        Assert.All(store.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
    }

    [Fact]
    public void End_entity_certificate_in_the_folder_is_not_a_ca_and_is_reported()
    {
        _maker.WriteTo(_folder.Path);
        var (key, _) = SoftwareEndorsementKey.Rsa();
        using (key)
        {
            File.WriteAllBytes(_folder.File("ek.der"), _maker.IssueEk(key));
        }

        var store = TpmMakerRootStore.Load(_folder.Path);

        Assert.Equal(2, store.Certificates.Count);
        Assert.Contains(store.Problems, p => p.File == "ek.der" && p.Reason.Contains("not a CA", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_certificates_load_once_and_are_listed()
    {
        _maker.WriteTo(_folder.Path);
        File.WriteAllBytes(_folder.File("copy-of-root.cer"), _maker.Root.RawData);

        var store = TpmMakerRootStore.Load(_folder.Path);

        Assert.Equal(2, store.Certificates.Count);
        Assert.Equal("copy-of-root.cer", Assert.Single(store.Duplicates).Origin);
    }

    [Fact]
    public void Missing_folder_gives_an_empty_store_with_a_problem_not_an_exception()
    {
        var store = TpmMakerRootStore.Load(_folder.File("does-not-exist"));

        Assert.Empty(store.Certificates);
        Assert.Contains("does not exist", Assert.Single(store.Problems).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Intermediate_without_its_root_is_listed_as_unrooted_with_the_missing_issuer()
    {
        _maker.WriteTo(_folder.Path, root: false);

        var store = TpmMakerRootStore.Load(_folder.Path);
        var unrooted = Assert.Single(store.Unrooted);

        Assert.Equal(_maker.Root.SubjectName.Name, unrooted.MissingIssuer);
        Assert.True(store.IsAnchor(unrooted.Top));
        Assert.False(TpmMakerRootStore.Load(_folder.Path, trustConfiguredIntermediates: false).IsAnchor(unrooted.Top));
    }
}
