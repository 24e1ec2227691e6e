using System.CommandLine;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Hooks.Services;

namespace Attest.Hooks.Commands;

/// <summary>
/// Conductor side: <c>session open</c> starts a step's attestation. The conductor opens the session (with its
/// operator key, so the history names who asked) and later reads the verdict for exactly that session; the node
/// only learns the session id and pushes evidence into it.
/// </summary>
internal static class SessionCommand
{
    public static Command Create()
    {
        var purpose = new Option<string>("--purpose") { Description = "clean, deploy, firmware-update, manual … (kept in the node's history)", DefaultValueFactory = _ => "manual" };
        var lifetime = new Option<int?>("--lifetime") { Description = "seconds the nonce may be used (default: the verifier's)" };
        var open = new Command("open", "Open an attestation session for --node-id; prints the session id (json: the whole session)") { purpose, lifetime };
        open.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var verifier = context.Verifier();
            var nodeId = context.NodeId();
            var session = await verifier.PostAsync<AttestationSession>(
                $"v1/nodes/{Uri.EscapeDataString(nodeId)}/sessions", new OpenSessionRequest(parse.GetValue(purpose), LifetimeSeconds: parse.GetValue(lifetime)), ct);
            context.Out.WriteLine(context.Json ? JsonSerializer.Serialize(session, ServiceClient.Json) : session.SessionId);
            return ExitCodes.Pass;
        });

        return new Command("session", "Conductor side: attestation sessions") { open };
    }
}
