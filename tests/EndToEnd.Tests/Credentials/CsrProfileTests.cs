using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;

namespace Attest.EndToEnd.Tests.Credentials;

/// <summary>
/// The crypto profile at issuance: under <c>fips</c> each weak CSR is refused with a code naming the algorithm and
/// the rule; under <c>default</c> the same CSRs are certified with a warning (RSA-1024 is refused by both).
/// </summary>
public sealed class CsrProfileTests
{
    private static readonly Dictionary<string, string> Plain = new() { ["Verifier:Credentials:AllowPlainDelivery"] = "true" };

    public static TheoryData<string> LegacyCsrs => ["P-192", "secp256k1", "ecdsa-with-SHA1"];

    private static byte[] Csr(string kind) => kind switch
    {
        "P-192" => CredentialKit.EcCsr(ECCurve.CreateFromValue("1.2.840.10045.3.1.1")),
        "secp256k1" => CredentialKit.EcCsr(ECCurve.CreateFromValue("1.3.132.0.10")),
        "ecdsa-with-SHA1" => Sha1Csr(),
        "RSA-1024" => RsaCsr(1024),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Fact]
    public async Task Fips_profile_refuses_weak_csrs_naming_algorithm_and_rule_and_keeps_the_grant()
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, new Dictionary<string, string>(Plain) { ["Crypto:Profile"] = "fips" });
        await using var _ = stack;
        await using var __ = node;

        foreach (var (kind, code) in new[]
                 {
                     ("P-192", "csr.key_refused"), ("secp256k1", "csr.key_refused"), ("RSA-1024", "csr.key_refused"),
                     ("ecdsa-with-SHA1", "csr.signature_algorithm_refused"),
                 })
        {
            var response = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, Csr(kind), CredentialDelivery.Plain));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await CredentialKit.ProblemAsync(response);
            Assert.Equal(code, problem.GetProperty("code").GetString());
            Assert.Equal(kind, problem.GetProperty("algorithm").GetString());
            Assert.Contains("fips", problem.GetProperty("rule").GetString(), StringComparison.Ordinal);
        }

        var tampered = CredentialKit.EcCsr(ECCurve.NamedCurves.nistP256);
        tampered[^5] ^= 0x01; // inside the signature
        var bad = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, tampered, CredentialDelivery.Plain));
        Assert.Equal("csr.signature_invalid", await CredentialKit.CodeAsync(bad));

        // Refusals did not use up the attestation: a good CSR is still certified.
        var good = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, CredentialKit.EcCsr(ECCurve.NamedCurves.nistP384), CredentialDelivery.Plain));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var issued = (await good.Content.ReadFromJsonAsync<IssuedCredentials>())!;
        Assert.Empty(issued.Warnings);
        Assert.StartsWith("atk_", issued.Token, StringComparison.Ordinal);
        Assert.Contains("BEGIN CERTIFICATE", issued.Certificate!.CertificatePem, StringComparison.Ordinal);
        var profile = await stack.Verifier().GetFromJsonAsync<Attest.ServiceDefaults.Hosting.CryptoProfileEndpoint.CryptoProfileInfo>("v1/crypto-profile");
        Assert.Equal("fips", profile!.Profile);
        Assert.DoesNotContain(profile.TlsCipherSuites!, s => s.Contains("CHACHA", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(LegacyCsrs))]
    public async Task Default_profile_certifies_the_same_legacy_csr_with_a_warning(string kind)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, Plain);
        await using var _ = stack;
        await using var __ = node;

        var response = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, Csr(kind), CredentialDelivery.Plain));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var issued = (await response.Content.ReadFromJsonAsync<IssuedCredentials>())!;
        Assert.Contains(issued.Warnings, w => w.Contains(kind, StringComparison.Ordinal) && w.Contains("refused by the fips profile", StringComparison.Ordinal));
        using var certificate = X509Certificate2.CreateFromPem(issued.Certificate!.CertificatePem);
        Assert.Equal($"CN={node.NodeId}", certificate.Subject);
    }

    [Fact]
    public async Task Rsa1024_csr_is_refused_by_the_default_profile_too()
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, Plain);
        await using var _ = stack;
        await using var __ = node;

        var response = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, RsaCsr(1024), CredentialDelivery.Plain));

        Assert.Equal("csr.key_refused", await CredentialKit.CodeAsync(response));
    }

    private static byte[] Sha1Csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=legacy-agent", key, HashAlgorithmName.SHA256).CreateSigningRequest(new EcdsaSha1SignatureGenerator(key));
    }

    private static byte[] RsaCsr(int bits)
    {
        using var key = RSA.Create(bits);
        return new CertificateRequest("CN=small-key", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
    }
}
