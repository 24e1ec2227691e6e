return Attest.Hooks.Commands.HookApp.Run(args);
