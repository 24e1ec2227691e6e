using System.CommandLine;
using System.Text.Json;
using Attest.Cli.Common;
using Attest.Contracts.Verifier;

namespace Attest.Cli.Operations;

/// <summary>
/// Operator commands for firmware updates: <c>attestctl window open|list|close</c> and <c>attestctl baseline history</c>
/// (docs/firmware-updates.md).
/// </summary>
internal static class FirmwareCommands
{
    private static readonly Option<string> Node = new("--node") { Description = "node id", Required = true };

    public static IEnumerable<Command> Create() => [Window(), Baseline()];

    private static Command Window()
    {
        var window = new Command("window", "firmware change windows: what may change on a node's next boot");

        var components = new Option<string[]>("--component") { Description = "system-firmware, firmware-config or option-roms (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var targets = new Option<string[]>("--target") { Description = "COMPONENT=VERSION the update must end at (repeatable)" };
        var reason = new Option<string>("--reason") { Description = "why (kept with the window and the new baseline)", Required = true };
        var minutes = new Option<int?>("--expires-minutes") { Description = "close unused after this many minutes" };
        var open = new Command("open", "open a change window") { Node, components, targets, reason, minutes };
        VerifierApi.AddOptions(open);
        open.SetAction(async (parse, ct) =>
        {
            var targetVersions = new Dictionary<string, string>();
            foreach (var target in parse.GetValue(targets) ?? [])
            {
                var pieces = target.Split('=', 2);
                if (pieces.Length != 2 || pieces[0].Length == 0 || pieces[1].Length == 0)
                {
                    throw new CliUsageException($"--target '{target}' is not COMPONENT=VERSION");
                }

                targetVersions[pieces[0]] = pieces[1];
            }

            var created = await VerifierApi.From(parse).SendAsync<ChangeWindow>(HttpMethod.Post, $"v1/nodes/{Uri.EscapeDataString(parse.GetValue(Node)!)}/change-windows",
                new OpenChangeWindowRequest(parse.GetValue(components)!, parse.GetValue(reason)!, targetVersions.Count == 0 ? null : targetVersions, parse.GetValue(minutes)), ct);
            parse.InvocationConfiguration.Output.WriteLine($"window {created.WindowId} open for {created.NodeId} until {created.ExpiresAt:u}: {string.Join(", ", created.Components)}");
            return CliRunner.Ok;
        });

        var format = Output.FormatOption();
        var list = new Command("list", "a node's change windows") { Node, format };
        VerifierApi.AddOptions(list);
        list.SetAction(async (parse, ct) =>
        {
            var windows = await VerifierApi.From(parse).SendAsync<ChangeWindow[]>(HttpMethod.Get, $"v1/nodes/{Uri.EscapeDataString(parse.GetValue(Node)!)}/change-windows", null, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Output.WriteJson(output, windows);
                return CliRunner.Ok;
            }

            foreach (var w in windows)
            {
                output.WriteLine($"{w.WindowId}  {w.State,-9}  {string.Join(",", w.Components),-16}  opened {w.OpenedAt:u} by {w.OpenedBy}  {w.Reason}");
            }

            return CliRunner.Ok;
        });

        var windowId = new Option<string>("--window") { Description = "window id", Required = true };
        var close = new Command("close", "cancel an open change window") { Node, windowId };
        VerifierApi.AddOptions(close);
        close.SetAction(async (parse, ct) =>
        {
            await VerifierApi.From(parse).SendAsync<bool>(HttpMethod.Delete, $"v1/nodes/{Uri.EscapeDataString(parse.GetValue(Node)!)}/change-windows/{Uri.EscapeDataString(parse.GetValue(windowId)!)}", null, ct);
            parse.InvocationConfiguration.Output.WriteLine("window closed");
            return CliRunner.Ok;
        });

        window.Subcommands.Add(open);
        window.Subcommands.Add(list);
        window.Subcommands.Add(close);
        return window;
    }

    private static Command Baseline()
    {
        var baseline = new Command("baseline", "a node's approved baselines");
        var format = Output.FormatOption();
        var history = new Command("history", "every baseline version: who approved it, from which attestation, why") { Node, format };
        VerifierApi.AddOptions(history);
        history.SetAction(async (parse, ct) =>
        {
            var baselines = await VerifierApi.From(parse).SendAsync<BaselineRecord[]>(HttpMethod.Get, $"v1/nodes/{Uri.EscapeDataString(parse.GetValue(Node)!)}/baselines", null, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Output.WriteJson(output, baselines);
                return CliRunner.Ok;
            }

            foreach (var b in baselines)
            {
                output.WriteLine($"v{b.Version}  {b.CreatedAt:u}  by {b.ApprovedBy}  from attestation {b.AttestationId}  {b.Reason}");
            }

            return CliRunner.Ok;
        });
        baseline.Subcommands.Add(history);
        return baseline;
    }
}
