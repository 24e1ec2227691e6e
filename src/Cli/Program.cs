return Attest.Cli.CliApp.Run(args);
