using System.Net;
using System.Security.Cryptography;
using System.Text;
using Attest.Contracts.Verifier;
using Attest.Hooks.Node;
using Attest.ServiceDefaults.Storage;

namespace Attest.EndToEnd.Tests.Credentials;

/// <summary>The optional TPM2_Certify proof: the CSR's key is a TPM key, certified by the AK for this very redemption.</summary>
public sealed class TpmKeyTests
{
    private static readonly Dictionary<string, string> RequireTpmKey = new() { ["Verifier:Credentials:Certificates:RequireTpmKey"] = "true" };

    [Fact]
    public async Task Tpm_resident_key_certified_by_the_ak_gets_a_certificate_and_a_software_key_does_not()
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, RequireTpmKey);
        await using var _ = stack;
        await using var __ = node;

        var software = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, CredentialKit.EcCsr(ECCurve.NamedCurves.nistP256)));
        Assert.Equal("csr.tpm_key_required", await CredentialKit.CodeAsync(software));

        NodeCredentials.Result result;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            result = await NodeCredentials.RequestAsync(tpm, stack.NodeVerifier(),
                new NodeCredentials.Options(node.StateDirectory, pass.AttestationId, Path.Combine(node.StateDirectory, "agent"), TpmKey: true), CancellationToken.None);
        }

        Assert.EndsWith("agent.tpmkey.json", result.KeyPath, StringComparison.Ordinal);
        Assert.Contains("OK", await CredentialKit.OpenSslAsync("verify", "-CAfile", result.CaCertificatePath!, result.CertificatePath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certification_for_another_attestation_or_of_another_key_is_refused()
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, RequireTpmKey);
        await using var _ = stack;
        await using var __ = node;
        var state = NodeState.Load(node.StateDirectory)!;

        TpmTlsKey forOther, forThis;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            forOther = await tpm.CreateTlsKeyAsync(state, "CN=x", Encoding.ASCII.GetBytes("another-attestation"), CancellationToken.None);
            forThis = await tpm.CreateTlsKeyAsync(state, "CN=x", Encoding.ASCII.GetBytes(pass.AttestationId), CancellationToken.None);
        }

        var replayed = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, forOther.Csr, CredentialDelivery.Tpm, Proof(forOther)));
        var problem = await CredentialKit.ProblemAsync(replayed);
        Assert.Equal("csr.tpm_key_not_certified", problem.GetProperty("code").GetString());
        Assert.Contains("certify.nonce_mismatch", problem.GetProperty("failures").EnumerateArray().Select(e => e.GetString()));

        // A software key's CSR presented with a genuine proof for a different (TPM) key.
        var swapped = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, CredentialKit.EcCsr(ECCurve.NamedCurves.nistP256), CredentialDelivery.Tpm, Proof(forThis)));
        Assert.Equal("csr.tpm_key_invalid", await CredentialKit.CodeAsync(swapped));

        var genuine = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, forThis.Csr, CredentialDelivery.Tpm, Proof(forThis)));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Theory]
    [InlineData("0000a1", "a1")]
    [InlineData("00ff", "ff")]
    [InlineData("00", "00")]
    [InlineData("7f00", "7f00")]
    public void Tpm_signature_halves_lose_their_padding_before_der_encoding(string padded, string minimal)
    {
        // r or s with a leading zero byte (1 in 256 signatures) made the CSR builder throw: seen once in the full run.
        Assert.Equal(minimal, Convert.ToHexStringLower(TpmTlsKey.Minimal(Convert.FromHexString(padded))));
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteIntegerUnsigned(TpmTlsKey.Minimal(Convert.FromHexString(padded)));
    }

    private static KeyCertification Proof(TpmTlsKey key) => new(key.Public.MarshalSized(), key.Certification.Attest, key.Certification.Signature);
}
