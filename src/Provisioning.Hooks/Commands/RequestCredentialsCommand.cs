using System.CommandLine;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Hooks.Node;
using Attest.Hooks.Services;

namespace Attest.Hooks.Commands;

/// <summary><c>attest-hook request-credentials</c>: after <c>attest</c> passed, fetch the agent token and TLS certificate.</summary>
public static class RequestCredentialsCommand
{
    public static Command Create()
    {
        var attestation = new Option<string>("--attestation") { Description = "id of the passing attestation (printed by 'attest')", Required = true };
        var output = new Option<string>("--out") { Description = "folder for agent.token, agent.key, agent.crt, ca.crt", DefaultValueFactory = _ => "/etc/attest-agent" };
        var keyAlgorithm = new Option<string>("--key-algorithm") { Description = "TLS key: ecc (P-256, default), ecc384 or rsa (3072)", DefaultValueFactory = _ => "ecc" };
        var delivery = new Option<string>("--delivery") { Description = "tpm (default: wrapped to this TPM's EK and AK) or plain", DefaultValueFactory = _ => CredentialDelivery.Tpm };
        var noCertificate = new Option<bool>("--no-certificate") { Description = "only the agent token" };
        var tpmKey = new Option<bool>("--tpm-key") { Description = "make the TLS key in the TPM (P-256), certified by the AK with TPM2_Certify" };
        var command = new Command("request-credentials", "After a pass: get this node's agent token and TLS certificate (once per attestation)")
        {
            attestation, output, keyAlgorithm, delivery, noCertificate, tpmKey,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var verifier = context.Verifier();
            await using var tpm = await context.OpenTpmAsync(ct);
            var result = await NodeCredentials.RequestAsync(tpm, verifier, new NodeCredentials.Options(
                context.StateDirectory, parse.GetValue(attestation)!, parse.GetValue(output)!, parse.GetValue(keyAlgorithm)!,
                parse.GetValue(delivery)!, !parse.GetValue(noCertificate), parse.GetValue(tpmKey)), ct);
            context.Out.WriteLine(context.Json
                ? JsonSerializer.Serialize(result, ServiceClient.Json)
                : $"credentials for node {result.NodeId}: token {result.TokenId} in {result.TokenPath} (expires {result.TokenExpiresAt:u})"
                  + (result.CertificateSerial is null ? "" : $", certificate {result.CertificateSerial} in {result.CertificatePath}"));
            foreach (var warning in result.Warnings)
            {
                parse.InvocationConfiguration.Error.WriteLine($"attest-hook: warning: {warning}");
            }

            return ExitCodes.Pass;
        });
        return command;
    }
}
