using System.CommandLine;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Hooks.Node;
using Attest.Hooks.Services;
using Attest.Tpm.Client;
using Attest.Tpm.Client.Transport;

namespace Attest.Hooks.Commands;

/// <summary>The attest-hook command tree and the mapping of outcomes to exit codes.</summary>
public static class HookApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("attest-hook: TPM attestation for provisioning steps (node side: enroll, attest; conductor side: session open, verdict).\n"
            + "Trust rule: the verdict 'attest' prints on the node is informational only; a node's own report is never trusted. "
            + "The conductor-side step decides on 'verdict --session ID', read from the verifier with its own API key.\n"
            + "Exit codes: 0 pass, 1 attestation failed, 2 usage/configuration, 3 service unreachable or timed out (after bounded retries).");
        foreach (var option in new Option[] { HookOptions.Registrar, HookOptions.Verifier, HookOptions.Tpm, HookOptions.NodeId, HookOptions.StateDir,
                     HookOptions.CaCertificate, HookOptions.ApiKey, HookOptions.Timeout, HookOptions.Retries, HookOptions.Format })
        {
            option.Recursive = true;
            root.Options.Add(option);
        }

        root.Subcommands.Add(Enroll());
        root.Subcommands.Add(Attest());
        root.Subcommands.Add(VerdictCommand());
        root.Subcommands.Add(FirmwareWindowCommand.Create());
        root.Subcommands.Add(RequestCredentialsCommand.Create());
        root.Subcommands.Add(SessionCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"attest-hook: {error.Message}");
            }

            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (HookUsageException ex)
        {
            stderr.WriteLine($"attest-hook: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (ServiceUnavailableException ex)
        {
            stderr.WriteLine($"attest-hook: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (ServiceRefusedException ex)
        {
            stderr.WriteLine($"attest-hook: refused: {ex.Message}");
            return ex.Status is 400 or 401 or 403 or 404 && !ex.Code.StartsWith("enrollment.", StringComparison.Ordinal) ? ExitCodes.Usage : ExitCodes.Failed;
        }
        catch (TpmTransportException ex)
        {
            stderr.WriteLine($"attest-hook: TPM unreachable: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (TpmResponseException ex)
        {
            stderr.WriteLine($"attest-hook: TPM error: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (InvalidOperationException ex)
        {
            stderr.WriteLine($"attest-hook: {ex.Message}");
            return ExitCodes.Usage;
        }
    }

    private static Command Enroll()
    {
        var akAlgorithm = new Option<string>("--ak-algorithm") { Description = "ecc (P-256, default), ecc384 or rsa", DefaultValueFactory = _ => "ecc" };
        var command = new Command("enroll", "Enroll this node's TPM with the registrar (EK, certificate, new AK) and activate the AK") { akAlgorithm };
        command.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var registrar = context.Registrar();
            var nodeId = context.NodeId();
            await using var tpm = await context.OpenTpmAsync(ct);
            var result = await NodeEnrollment.EnrollAsync(tpm, registrar, new NodeEnrollment.Options(nodeId, context.StateDirectory, parse.GetValue(akAlgorithm)!), ct);
            Write(context, result, $"enrolled node {result.NodeId}: attestation key {result.AkName} is {result.State}");
            return ExitCodes.Pass;
        });
        return command;
    }

    private static Command Attest()
    {
        var session = new Option<string?>("--session") { Description = "session id opened by the conductor (default: open a new one)" };
        var purpose = new Option<string>("--purpose") { Description = "clean, deploy, firmware-update, manual …", DefaultValueFactory = _ => "manual" };
        var eventLog = new Option<string>("--event-log") { Description = "measured-boot event log", DefaultValueFactory = _ => "/sys/kernel/security/tpm0/binary_bios_measurements" };
        var imaLog = new Option<string?>("--ima-log") { Description = "IMA log (default: the kernel's, when IMA is on)", DefaultValueFactory = _ => "/sys/kernel/security/ima/binary_runtime_measurements" };
        var command = new Command("attest", "Quote this node's PCRs for a session and push the evidence; prints the verifier's verdict") { session, purpose, eventLog, imaLog };
        command.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var verifier = context.Verifier();
            await using var tpm = await context.OpenTpmAsync(ct);
            var verdict = await NodeAttestation.AttestAsync(tpm, verifier, new NodeAttestation.Options(
                context.StateDirectory, parse.GetValue(purpose)!, parse.GetValue(session), parse.GetValue(eventLog), parse.GetValue(imaLog)), ct);
            WriteVerdict(context, verdict);
            return verdict.Passed ? ExitCodes.Pass : ExitCodes.Failed;
        });
        return command;
    }

    private static Command VerdictCommand()
    {
        var session = new Option<string>("--session") { Description = "the step's session id", Required = true };
        var command = new Command("verdict", "Conductor side: the verifier's verdict for a session (fails closed: no verdict is a failure)") { session };
        command.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var verifier = context.Verifier();
            try
            {
                var verdict = await verifier.GetAsync<Verdict>($"v1/sessions/{Uri.EscapeDataString(parse.GetValue(session)!)}/verdict", ct);
                WriteVerdict(context, verdict);
                return verdict.Passed ? ExitCodes.Pass : ExitCodes.Failed;
            }
            catch (ServiceRefusedException ex) when (ex.Status is 404 or 409)
            {
                parse.InvocationConfiguration.Error.WriteLine($"attest-hook: no passing verdict: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static void WriteVerdict(HookContext context, Verdict verdict)
    {
        var text = verdict.Passed
            ? $"attestation {verdict.AttestationId} of node {verdict.NodeId}: pass"
            : $"attestation {verdict.AttestationId} of node {verdict.NodeId}: FAIL\n" + string.Join("\n", verdict.Failures.Select(f => $"  {f.Code}: {f.Message}"));
        Write(context, verdict, text);
    }

    private static void Write<T>(HookContext context, T value, string text) =>
        context.Out.WriteLine(context.Json ? JsonSerializer.Serialize(value, ServiceClient.Json) : text);
}
