using System.Diagnostics;
using System.Text.Json;

namespace Attest.Hooks.Tests.Stack;

/// <summary>One run of the attest-hook binary, as a step would run it.</summary>
internal sealed record HookRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:0} ms\nstdout: {Stdout}\nstderr: {Stderr}";
}

internal static class HookRunner
{
    public static async Task<HookRun> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Repo.Hook) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the test says: no ATTEST_* defaults leaking in from the machine running the tests.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ATTEST_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + Repo.Hook);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return new HookRun(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }
}
