using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.EndToEnd.Tests.Credentials;

/// <summary>A node that has just passed (enrolled, baseline approved, attested), and helpers around flow 4.</summary>
internal static class CredentialKit
{
    public static async Task<(AttestStack Stack, SimulatedNode Node, Verdict Pass)> PassingNodeAsync(
        DatabaseProvider provider, IReadOnlyDictionary<string, string>? settings = null, bool distinctTpm = false)
    {
        var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync(), settings);
        var node = await SimulatedNode.StartAsync(distinctTpm: distinctTpm);
        await node.EnrollAsync(stack);
        var first = await node.AttestAsync(stack);
        var approve = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/baselines",
            new ApproveBaselineRequest(first.AttestationId, "first boot, checked by ops"));
        Assert.Equal(HttpStatusCode.Created, approve.StatusCode);
        var pass = await node.AttestAsync(stack);
        Assert.True(pass.Passed, string.Join("; ", pass.Failures.Select(f => f.Code)));
        return (stack, node, pass);
    }

    public static async Task<HttpResponseMessage> RequestAsync(AttestStack stack, string nodeId, CredentialRequest request) =>
        await stack.Verifier().PostAsJsonAsync($"v1/nodes/{nodeId}/credentials", request);

    public static async Task<TokenVerification> VerifyTokenAsync(AttestStack stack, string token)
    {
        var response = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync("v1/credentials/tokens/verify", new VerifyTokenRequest(token));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenVerification>())!;
    }

    public static async Task<string> CodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("code").GetString()!;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    public static byte[] EcCsr(ECCurve curve, string subject = "CN=whatever-the-node-asks")
    {
        using var key = ECDsa.Create(curve);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    /// <summary>openssl with the given arguments; throws with its output when it fails.</summary>
    public static async Task<string> OpenSslAsync(params string[] arguments)
    {
        var (exit, output) = await ProcessRunner.RunAsync("openssl", arguments, null, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"openssl {string.Join(' ', arguments)} failed ({exit}): {output}");
        return output;
    }
}

/// <summary>ecdsa-with-SHA1, which .NET no longer signs with: a legacy agent's CSR.</summary>
internal sealed class EcdsaSha1SignatureGenerator(ECDsa key) : X509SignatureGenerator
{
    // AlgorithmIdentifier { ecdsa-with-SHA1 (1.2.840.10045.4.1) }, no parameters (RFC 3279 §2.2.3).
    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => Convert.FromHexString("300906072A8648CE3D0401");

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
        key.SignData(data, HashAlgorithmName.SHA1, DSASignatureFormat.Rfc3279DerSequence);

    protected override PublicKey BuildPublicKey() => new(key);
}
