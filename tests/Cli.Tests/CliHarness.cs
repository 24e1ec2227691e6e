namespace Attest.Cli.Tests;

/// <summary>Runs attestctl in-process through its real command parser, capturing output and exit code.</summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness() => Directory.CreateDirectory(WorkDir);

    public string WorkDir { get; } = Path.Combine(Path.GetTempPath(), "attestctl-" + Guid.NewGuid().ToString("N"));

    public string File(string name, byte[] content)
    {
        var path = Path.Combine(WorkDir, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public string File(string name, string content) => File(name, System.Text.Encoding.UTF8.GetBytes(content));

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => Directory.Delete(WorkDir, recursive: true);
}
