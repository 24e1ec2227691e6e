using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// Hostile input at the credential endpoints: malformed JSON, base64 garbage, garbage and truncated CSRs get 4xx problem
/// details with a stable code and do not use up the attestation's one credential grant.
/// </summary>
public sealed class CredentialHostileInputTests
{
    [Fact]
    public async Task Bad_credential_requests_are_problems_and_leave_the_grant_usable()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, await TpmCaFolder.SwtpmLocalCaAsync());
        await using var node = await SimulatedNode.StartAsync();
        await node.EnrollAsync(stack);
        var first = await node.AttestAsync(stack);
        (await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/baselines", new ApproveBaselineRequest(first.AttestationId, "racked"))).EnsureSuccessStatusCode();
        var passed = await node.AttestAsync(stack);
        Assert.True(passed.Passed);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=whatever-the-node-claims", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var url = $"v1/nodes/{node.NodeId}/credentials";
        var cases = new (string What, HttpContent Body)[]
        {
            ("truncated JSON", new StringContent("{\"attestationId\": \"", Encoding.UTF8, "application/json")),
            ("base64 garbage", new StringContent($"{{\"attestationId\": \"{passed.AttestationId}\", \"csr\": \"%%%\"}}", Encoding.UTF8, "application/json")),
            ("garbage CSR", JsonContent.Create(new CredentialRequest(passed.AttestationId, RandomNumberGenerator.GetBytes(300)))),
            ("truncated CSR", JsonContent.Create(new CredentialRequest(passed.AttestationId, csr[..(csr.Length / 2)]))),
            ("unknown delivery", JsonContent.Create(new CredentialRequest(passed.AttestationId, csr, "carrier-pigeon"))),
        };

        foreach (var (what, body) in cases)
        {
            var response = await stack.Verifier().PostAsync(url, body);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.TryGetProperty("code", out var code) && code.GetString()!.Length > 0, what);
            Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        }

        var good = await stack.Verifier().PostAsJsonAsync(url, new CredentialRequest(passed.AttestationId, csr));
        var again = await stack.Verifier().PostAsJsonAsync(url, new CredentialRequest(passed.AttestationId, csr));

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}
