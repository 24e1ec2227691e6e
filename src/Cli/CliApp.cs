using System.CommandLine;

namespace Attest.Cli;

/// <summary>The attestctl command tree; each feature contributes its own commands here and only here.</summary>
public static class CliApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("attestctl: verify TPM 2.0 evidence and manage Attest (operators and security teams)");
        root.Subcommands.Add(Quotes.QuoteCommands.Create());
        root.Subcommands.Add(EventLog.EventLogCommands.Create());
        root.Subcommands.Add(Ima.ImaCommands.Create());
        foreach (var command in Operations.FirmwareCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(Policies.PolicyCommands.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null) =>
        CliRunner.Run(CreateRoot(), args, stdout, stderr);
}
