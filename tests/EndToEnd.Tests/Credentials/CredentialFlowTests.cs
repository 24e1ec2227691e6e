using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Hooks.Node;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Verifier.Notifications;
using Xunit.Abstractions;

namespace Attest.EndToEnd.Tests.Credentials;

/// <summary>Flow 4 end to end: a swtpm node passes, redeems the pass for a TPM-bound token and certificate, and loses them on failure.</summary>
public sealed class CredentialFlowTests(ITestOutputHelper output)
{
    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Passing_node_redeems_its_attestation_once_for_a_tpm_bound_token_and_a_certificate_openssl_accepts(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var outDir = Path.Combine(node.StateDirectory, "agent");

        var stopwatch = Stopwatch.StartNew();
        NodeCredentials.Result result;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            result = await NodeCredentials.RequestAsync(tpm, stack.NodeVerifier(), new NodeCredentials.Options(node.StateDirectory, pass.AttestationId, outDir), CancellationToken.None);
        }

        output.WriteLine($"issuance incl. key, CSR, ActivateCredential ({provider}): {stopwatch.ElapsedMilliseconds} ms");
        var token = await File.ReadAllTextAsync(result.TokenPath);
        Assert.Matches("^atk_[A-Za-z0-9_-]{43}$", token);
        var verification = await CredentialKit.VerifyTokenAsync(stack, token);
        Assert.True(verification.Valid, verification.Reason);
        Assert.Equal(node.NodeId, verification.NodeId);
        Assert.Equal(pass.AttestationId, verification.AttestationId);

        // Returned once: the same attestation cannot be redeemed again.
        var again = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, CredentialKit.EcCsr(ECCurve.NamedCurves.nistP256)));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("credentials.already_issued", await CredentialKit.CodeAsync(again));

        // Stored only as a hash: no column of the credential tables holds the token or its secret.
        var stored = await DumpAsync(stack.VerifierDatabase, "agent_tokens");
        var row = Assert.Single(stored);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), row["token_hash"]);
        var secretHex = Convert.ToHexStringLower(Convert.FromBase64String(token[4..].Replace('-', '+').Replace('_', '/') + "="));
        foreach (var table in new[] { "agent_tokens", "issued_certificates" })
        {
            foreach (var value in (await DumpAsync(stack.VerifierDatabase, table)).SelectMany(r => r.Values))
            {
                Assert.DoesNotContain(token[4..], value, StringComparison.Ordinal);
                Assert.DoesNotContain(secretHex, value, StringComparison.OrdinalIgnoreCase);
            }
        }

        // An independent tool checks the certificate against the CA.
        Assert.Contains("OK", await CredentialKit.OpenSslAsync("verify", "-CAfile", result.CaCertificatePath!, "-purpose", "sslserver", result.CertificatePath!), StringComparison.Ordinal);
        Assert.Contains("OK", await CredentialKit.OpenSslAsync("verify", "-CAfile", result.CaCertificatePath!, "-purpose", "sslclient", result.CertificatePath!), StringComparison.Ordinal);
        var text = await CredentialKit.OpenSslAsync("x509", "-in", result.CertificatePath!, "-noout", "-text");
        output.WriteLine(text);
        Assert.Contains($"Subject: CN = {node.NodeId}", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains($"DNS:{node.NodeId}.nodes.attest.internal", text, StringComparison.Ordinal);
        Assert.Contains($"URI:urn:attest:node:{node.NodeId}", text, StringComparison.Ordinal);
        Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
        Assert.Contains("ecdsa-with-SHA384", text, StringComparison.Ordinal);
        Assert.DoesNotContain("whatever-the-node-asks", text, StringComparison.Ordinal);
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(result.CertificatePath!);
        Assert.True(certificate.NotAfter - certificate.NotBefore <= TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.KeyPath!));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.TokenPath));
        }
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Token_stops_verifying_when_it_expires(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var token = await RedeemTokenAsync(stack, node, pass, withCertificate: false);
        Assert.True((await CredentialKit.VerifyTokenAsync(stack, token)).Valid);

        stack.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromSeconds(1));

        var verification = await CredentialKit.VerifyTokenAsync(stack, token);
        Assert.False(verification.Valid);
        Assert.Equal("token.expired", verification.Reason);
        Assert.Equal("token.unknown", (await CredentialKit.VerifyTokenAsync(stack, "atk_" + new string('A', 43))).Reason);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Failed_attestation_revokes_token_and_certificate_and_sends_signed_webhooks(DatabaseProvider provider)
    {
        const string secret = "webhook-secret-for-tests-0123456789";
        await using var receiver = new WebhookReceiver();
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider, new Dictionary<string, string>
        {
            ["Verifier:Notifications:Webhooks:0"] = receiver.Url,
            ["Verifier:Notifications:Secret"] = secret,
        });
        await using var _ = stack;
        await using var __ = node;
        var outDir = Path.Combine(node.StateDirectory, "agent");
        NodeCredentials.Result issued;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            issued = await NodeCredentials.RequestAsync(tpm, stack.NodeVerifier(), new NodeCredentials.Options(node.StateDirectory, pass.AttestationId, outDir), CancellationToken.None);
        }

        var token = await File.ReadAllTextAsync(issued.TokenPath);
        Assert.Equal("good", (await StatusAsync(stack, issued.CertificateSerial!)).Status);

        // Something runs that the event log does not show: PCR 7 no longer replays.
        await using (var client = node.Tpm.OpenClient())
        {
            await client.PcrExtendAsync(7, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = SHA256.HashData("rootkit"u8) });
        }

        var failed = await node.AttestAsync(stack);
        Assert.False(failed.Passed);

        var verification = await CredentialKit.VerifyTokenAsync(stack, token);
        Assert.False(verification.Valid);
        Assert.Equal("token.revoked", verification.Reason);
        var status = await StatusAsync(stack, issued.CertificateSerial!);
        Assert.Equal("revoked", status.Status);
        Assert.Equal("attestation_failed", status.Reason);

        // The CRL, checked by openssl against the CA, lists the serial.
        var crlPath = Path.Combine(outDir, "ca.crl");
        await File.WriteAllBytesAsync(crlPath, await stack.Verifier().GetByteArrayAsync("v1/credentials/crl"));
        var crl = await CredentialKit.OpenSslAsync("crl", "-inform", "DER", "-in", crlPath, "-CAfile", issued.CaCertificatePath!, "-noout", "-text");
        Assert.Contains("verify OK", crl, StringComparison.Ordinal);
        Assert.Contains(issued.CertificateSerial!.ToUpperInvariant(), crl.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant(), StringComparison.Ordinal);
        await File.WriteAllTextAsync(crlPath + ".pem", "-----BEGIN X509 CRL-----\n" + Convert.ToBase64String(await File.ReadAllBytesAsync(crlPath), Base64FormattingOptions.InsertLineBreaks) + "\n-----END X509 CRL-----\n");
        var (exit, verifyOutput) = await Attest.Tpm.Tests.Swtpm.ProcessRunner.RunAsync("openssl",
            ["verify", "-crl_check", "-CAfile", issued.CaCertificatePath!, "-CRLfile", crlPath + ".pem", issued.CertificatePath!], null, TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("certificate revoked", verifyOutput, StringComparison.Ordinal);

        // Both notifications arrive, signed with HMAC-SHA-256 over timestamp.body.
        var revoked = await receiver.WaitForAsync(NotificationTypes.CredentialsRevoked);
        await receiver.WaitForAsync(NotificationTypes.AttestationFailed);
        var failure = await WaitForFailureAsync(receiver, failed.AttestationId);
        foreach (var hook in new[] { revoked, failure })
        {
            Assert.True(WebhookSignature.Verify(Encoding.UTF8.GetBytes(secret), hook.Timestamp, hook.Body, hook.Signature), hook.Text);
            Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes(secret + "x"), hook.Timestamp, hook.Body, hook.Signature));
            Assert.Equal(node.NodeId, JsonDocument.Parse(hook.Body).RootElement.GetProperty("nodeId").GetString());
        }

        Assert.Contains("attestation_failed", revoked.Text, StringComparison.Ordinal);
        Assert.Contains(failed.AttestationId, failure.Text, StringComparison.Ordinal);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Operator_revocation_invalidates_the_token_at_once(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var token = await RedeemTokenAsync(stack, node, pass, withCertificate: false);

        var response = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/credentials/revoke", new RevokeCredentialsRequest("machine returned to vendor"));
        var anonymous = await stack.Verifier().PostAsJsonAsync($"v1/nodes/{node.NodeId}/credentials/revoke", new RevokeCredentialsRequest("anyone?"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<RevocationResult>())!.TokensRevoked);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("token.revoked", (await CredentialKit.VerifyTokenAsync(stack, token)).Reason);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task No_credentials_without_a_fresh_passing_attestation_of_that_node(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await using var other = await SimulatedNode.StartAsync(distinctTpm: true);
        await other.EnrollAsync(stack);
        var otherFailed = await other.AttestAsync(stack); // no baseline: fails

        Assert.Equal("credentials.attestation_not_passed", await CodeAsync(stack, other.NodeId, otherFailed.AttestationId));
        Assert.Equal("credentials.attestation_not_found", await CodeAsync(stack, other.NodeId, pass.AttestationId));
        Assert.Equal("credentials.attestation_not_found", await CodeAsync(stack, node.NodeId, "no-such-attestation"));

        var later = await node.AttestAsync(stack);
        Assert.True(later.Passed);
        Assert.Equal("credentials.attestation_superseded", await CodeAsync(stack, node.NodeId, pass.AttestationId));
        Assert.Equal("credentials.delivery_refused", await CodeAsync(stack, node.NodeId, later.AttestationId, CredentialDelivery.Plain));

        stack.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal("credentials.attestation_stale", await CodeAsync(stack, node.NodeId, later.AttestationId));
        Assert.Empty(await DumpAsync(stack.VerifierDatabase, "agent_tokens"));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Wrapped_token_unwraps_only_in_the_tpm_that_attested(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await using var stranger = await SimulatedNode.StartAsync(distinctTpm: true);
        await stranger.EnrollAsync(stack);
        var response = await CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId));
        response.EnsureSuccessStatusCode();
        var issued = (await response.Content.ReadFromJsonAsync<IssuedCredentials>())!;
        Assert.Null(issued.Token);
        var wrapped = issued.WrappedToken!;

        // A leaked response is useless in another TPM, with that TPM's own enrolled AK.
        await using (var strangerTpm = new TpmNode(stranger.Tpm.OpenClient()))
        {
            await Assert.ThrowsAsync<TpmResponseException>(() =>
                NodeCredentials.UnwrapAsync(strangerTpm, NodeState.Load(stranger.StateDirectory)!, wrapped, CancellationToken.None));
        }

        byte[] secret;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            secret = await NodeCredentials.UnwrapAsync(tpm, NodeState.Load(node.StateDirectory)!, wrapped, CancellationToken.None);
        }

        Assert.Equal(32, secret.Length);
        var verification = await CredentialKit.VerifyTokenAsync(stack, "atk_" + System.Buffers.Text.Base64Url.EncodeToString(secret));
        Assert.True(verification.Valid, verification.Reason);
        Assert.Equal(issued.TokenId, verification.TokenId);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Reenrollment_with_a_new_ak_revokes_what_the_old_ak_earned(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        NodeCredentials.Result issued;
        await using (var tpm = new TpmNode(node.Tpm.OpenClient()))
        {
            issued = await NodeCredentials.RequestAsync(tpm, stack.NodeVerifier(), new NodeCredentials.Options(node.StateDirectory, pass.AttestationId, Path.Combine(node.StateDirectory, "agent")), CancellationToken.None);
        }

        var token = await File.ReadAllTextAsync(issued.TokenPath);
        var oldAk = NodeState.Load(node.StateDirectory)!.AkName;

        // The machine is reinstalled: same TPM and EK, a new AK enrolled at the registrar.
        File.Delete(Path.Combine(node.StateDirectory, "attest-hook.json"));
        await node.EnrollAsync(stack);
        Assert.NotEqual(oldAk, NodeState.Load(node.StateDirectory)!.AkName);

        var verification = await CredentialKit.VerifyTokenAsync(stack, token);
        Assert.False(verification.Valid);
        Assert.Equal("token.revoked", verification.Reason);
        var status = await StatusAsync(stack, issued.CertificateSerial!);
        Assert.Equal("revoked", status.Status);
        Assert.Equal("node_reenrolled", status.Reason);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Racing_requests_for_one_attestation_issue_exactly_once(DatabaseProvider provider)
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(provider);
        await using var _ = stack;
        await using var __ = node;

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            CredentialKit.RequestAsync(stack, node.NodeId, new CredentialRequest(pass.AttestationId, CredentialKit.EcCsr(ECCurve.NamedCurves.nistP256)))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
            Assert.Equal("credentials.already_issued", await CredentialKit.CodeAsync(loser));
        }

        Assert.Single(await DumpAsync(stack.VerifierDatabase, "agent_tokens"));
        Assert.Single(await DumpAsync(stack.VerifierDatabase, "issued_certificates"));
    }

    private static async Task<WebhookReceiver.Received> WaitForFailureAsync(WebhookReceiver receiver, string attestationId)
    {
        // The first attestation (before the baseline) failed too: wait for this one's notification.
        for (var i = 0; i < 200; i++)
        {
            var match = receiver.Requests.FirstOrDefault(r => r.Event == NotificationTypes.AttestationFailed && r.Text.Contains(attestationId, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no attestation.failed webhook for {attestationId}");
    }

    private static async Task<string> RedeemTokenAsync(AttestStack stack, SimulatedNode node, Verdict pass, bool withCertificate)
    {
        await using var tpm = new TpmNode(node.Tpm.OpenClient());
        var result = await NodeCredentials.RequestAsync(tpm, stack.NodeVerifier(),
            new NodeCredentials.Options(node.StateDirectory, pass.AttestationId, Path.Combine(node.StateDirectory, "agent"), WithCertificate: withCertificate), CancellationToken.None);
        return await File.ReadAllTextAsync(result.TokenPath);
    }

    private static async Task<string> CodeAsync(AttestStack stack, string nodeId, string attestationId, string delivery = CredentialDelivery.Tpm)
    {
        var response = await CredentialKit.RequestAsync(stack, nodeId, new CredentialRequest(attestationId, null, delivery));
        Assert.False(response.IsSuccessStatusCode);
        return await CredentialKit.CodeAsync(response);
    }

    private static async Task<CertificateStatus> StatusAsync(AttestStack stack, string serial) =>
        (await stack.Verifier().GetFromJsonAsync<CertificateStatus>($"v1/credentials/certificates/{serial}/status"))!;

    /// <summary>Every row of a table as text (bytes as hex), to look for what must not be stored.</summary>
    private static async Task<List<Dictionary<string, string>>> DumpAsync(Database database, string table)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, string>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, string>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? "" : reader.GetValue(i);
                row[reader.GetName(i)] = value is byte[] bytes ? Convert.ToHexStringLower(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }

            rows.Add(row);
        }

        return rows;
    }
}
