using System.CommandLine;
using Attest.Contracts.Verifier;
using Attest.Hooks.Services;

namespace Attest.Hooks.Commands;

/// <summary>
/// Conductor side of a firmware-update step: <c>attest-hook firmware-window open|close</c> around the flash and
/// reboot (docs/firmware-updates.md). Needs an operator API key; the node never opens its own window.
/// </summary>
internal static class FirmwareWindowCommand
{
    public static Command Create()
    {
        var command = new Command("firmware-window", "conductor side: open or close a firmware change window for a node (operator key)");

        var components = new Option<string[]>("--component") { Description = "system-firmware, firmware-config, option-roms (repeatable)", DefaultValueFactory = _ => ["system-firmware"] };
        var target = new Option<string[]>("--target") { Description = "COMPONENT=VERSION the update must end at (repeatable)" };
        var reason = new Option<string>("--reason") { Description = "why (kept with the window and the new baseline)", Required = true };
        var minutes = new Option<int?>("--expires-minutes") { Description = "close unused after this many minutes" };
        var open = new Command("open", "expect these components to change on the node's next boot") { components, target, reason, minutes };
        open.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            var targets = new Dictionary<string, string>();
            foreach (var pair in parse.GetValue(target) ?? [])
            {
                var pieces = pair.Split('=', 2);
                if (pieces.Length != 2)
                {
                    throw new HookUsageException($"--target '{pair}' is not COMPONENT=VERSION");
                }

                targets[pieces[0]] = pieces[1];
            }

            var window = await context.Verifier().PostAsync<ChangeWindow>($"v1/nodes/{Uri.EscapeDataString(context.NodeId())}/change-windows",
                new OpenChangeWindowRequest(parse.GetValue(components)!, parse.GetValue(reason)!, targets.Count == 0 ? null : targets, parse.GetValue(minutes)), ct);
            context.Out.WriteLine(context.Json ? System.Text.Json.JsonSerializer.Serialize(window, ServiceClient.Json) : window.WindowId);
            return ExitCodes.Pass;
        });

        var windowId = new Option<string>("--window") { Description = "the window id 'open' printed", Required = true };
        var close = new Command("close", "cancel an open window (after a failed or abandoned update)") { windowId };
        close.SetAction(async (parse, ct) =>
        {
            var context = new HookContext(parse);
            await context.Verifier().DeleteAsync($"v1/nodes/{Uri.EscapeDataString(context.NodeId())}/change-windows/{Uri.EscapeDataString(parse.GetValue(windowId)!)}", ct);
            return ExitCodes.Pass;
        });

        command.Subcommands.Add(open);
        command.Subcommands.Add(close);
        return command;
    }
}
