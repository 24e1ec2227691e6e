using System.Text.RegularExpressions;
using Attest.Registrar.EkCertificates;

namespace Attest.Registrar.Tests.EkCertificates;

/// <summary>
/// The real TPM makers' CA certificates of shared/testdata/tpm-ca (Keylime's tpm_cert_store): every one loads,
/// and the chains among them build. Some makers' roots are not in that collection; they are listed exactly, so a
/// change in the folder (or in chain building) shows up here.
/// </summary>
public sealed partial class TpmMakerRootStoreSharedCaTests
{
    private static readonly Lazy<TpmMakerRootStore> Store = new(() => TpmMakerRootStore.Load(SharedTpmCa.Directory!));

    /// <summary>Subject CN → CN of the issuer that is not in the folder.</summary>
    private static readonly SortedDictionary<string, string> KnownUnrooted = new(StringComparer.Ordinal)
    {
        // Alibaba Cloud publishes only the vTPM EKMF CA in this collection; its "Aliyun TPM Root CA" is absent.
        ["Aliyun TPM EKMF CA"] = "Aliyun TPM Root CA",

        // Infineon's TPM 1.2-era root is cross-signed by the retired VeriSign TPM root, which is not distributed.
        ["IFX TPM EK Root CA"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 01"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 02"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 03"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 04"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 05"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 08"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 15"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 17"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 18"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 20"] = "VeriSign Trusted Platform Module Root CA",
        ["IFX TPM EK Intermediate CA 21"] = "VeriSign Trusted Platform Module Root CA",

        // Nationz's manufacturing CA without its root.
        ["Nationz TPM Manufacturing CA 001"] = "Nationz TPM Root CA",

        // STMicro's ECC root is signed by GlobalSign's TPM ECC root, which is not in the collection (the RSA one is).
        ["STM TPM ECC Root CA 01"] = "GlobalSign Trusted Platform Module ECC Root CA",
        ["STM TPM ECC Intermediate CA 01"] = "GlobalSign Trusted Platform Module ECC Root CA",
    };

    [SharedTpmCaFact]
    public void Every_certificate_in_the_shared_tpm_ca_folder_loads()
    {
        var store = Store.Value;
        var blocks = Directory.EnumerateFiles(SharedTpmCa.Directory!, "*", SearchOption.AllDirectories)
            .Where(f => CertificateFileReader.Extensions.Contains(Path.GetExtension(f)))
            .Sum(f => CertificateBlock().Matches(File.ReadAllText(f)).Count);

        Assert.Empty(store.Problems);
        Assert.Equal(blocks, store.Certificates.Count + store.Duplicates.Count);
        Assert.Equal(51, blocks);
        Assert.Equal(45, store.Certificates.Count);
        Assert.Equal(11, store.Roots.Count);
        Assert.All(store.Roots, r => Assert.True(r.IsSelfIssued));
    }

    [SharedTpmCaFact]
    public void Chains_among_the_shared_certificates_reach_a_root_except_the_known_list()
    {
        var store = Store.Value;
        var unrooted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in store.Unrooted)
        {
            unrooted[CommonName(u.Certificate.Subject)] = CommonName(u.MissingIssuer);
        }

        Assert.Equal(KnownUnrooted, unrooted);
        var rooted = store.Intermediates.Where(i => !KnownUnrooted.ContainsKey(CommonName(i.Subject))).ToList();
        Assert.Equal(store.Intermediates.Count - KnownUnrooted.Count, rooted.Count);
        Assert.Equal(18, rooted.Count);
    }

    [SharedTpmCaFact]
    public void Every_shared_intermediate_builds_to_an_anchor_with_the_validators_chain_builder()
    {
        var store = Store.Value;
        var report = new List<string>();
        // The tops of unrooted chains are anchors themselves (decision 0006): nothing to build for them.
        foreach (var intermediate in store.Intermediates.Where(i => !store.IsAnchor(i)))
        {
            var outcome = EkChainBuilder.Build(intermediate, store, [], DateTime.UtcNow);
            if (outcome.Chain is null)
            {
                report.Add($"{intermediate.Origin}: stops at '{outcome.Top.Subject}', missing '{outcome.MissingIssuer}' ({outcome.PlatformRefusal})");
                continue;
            }

            var anchor = outcome.Chain[^1];
            Assert.True(store.IsAnchor(anchor));
            Assert.Equal(KnownUnrooted.ContainsKey(CommonName(intermediate.Subject)), !anchor.IsSelfIssued);
        }

        Assert.True(report.Count == 0, string.Join("\n", report));
    }

    [SharedTpmCaFact]
    public void Without_trusting_configured_intermediates_only_the_known_unrooted_fail_to_build()
    {
        var strict = TpmMakerRootStore.Load(SharedTpmCa.Directory!, trustConfiguredIntermediates: false);
        var failed = strict.Intermediates
            .Where(i => EkChainBuilder.Build(i, strict, [], DateTime.UtcNow).Chain is null)
            .Select(i => CommonName(i.Subject))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(KnownUnrooted.Keys, failed);
        Assert.Equal(11, strict.Anchors.Count);
    }

    private static string CommonName(string name) => CommonNamePattern().Match(name) is { Success: true } m ? m.Groups[1].Value.Trim() : name;

    [GeneratedRegex("-----BEGIN CERTIFICATE-----")]
    private static partial Regex CertificateBlock();

    [GeneratedRegex(@"CN=([^,+]+)")]
    private static partial Regex CommonNamePattern();
}
