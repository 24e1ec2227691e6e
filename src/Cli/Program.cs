using System.CommandLine;
using Attest.Cli;

var root = new RootCommand("attestctl: verify TPM 2.0 evidence and manage Attest (operators and security teams)");
// Each feature contributes its own command tree; keep this list the only place they meet.
root.Subcommands.Add(Attest.Cli.Quotes.QuoteCommands.Create());
root.Subcommands.Add(Attest.Cli.EventLog.EventLogCommands.Create());
return CliRunner.Run(root, args);
