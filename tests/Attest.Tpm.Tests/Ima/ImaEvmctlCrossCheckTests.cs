using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;
using Xunit.Abstractions;

namespace Attest.Tpm.Tests.Ima;

/// <summary>
/// Cross-checks replay against ima-evm-utils' <c>evmctl ima_measurement</c> (Debian package
/// ima-evm-utils), which replays a binary log against PCR values given in a file and needs no TPM.
/// evmctl accepts a log when any one bank matches, so each bank is checked on its own.
/// </summary>
public class ImaEvmctlCrossCheckTests(ITestOutputHelper output)
{
    [EvmctlTheory]
    [InlineData(TpmAlgId.Sha1, false)]
    [InlineData(TpmAlgId.Sha256, false)]
    [InlineData(TpmAlgId.Sha1, true)]
    [InlineData(TpmAlgId.Sha256, true)]
    public void Evmctl_accepts_the_pcr_our_replay_computes_and_rejects_a_different_one(TpmAlgId bank, bool imaTemplate)
    {
        var evmctl = FindEvmctl() ?? throw new InvalidOperationException("evmctl is required here (CI installs ima-evm-utils)");
        output.WriteLine($"cross-checking against {evmctl}");

        // evmctl 1.4 does not read ima-modsig's extra fields ("unprocessed data"), so none here; and it
        // refuses logs that mix the "ima" template with others, so that one gets its own log.
        var writer = imaTemplate ? OldTemplateLog() : ImaSamples.ImaNg(200, seed: 3)
            .AddImaSig("/usr/bin/unsigned", ImaSamples.Sha256("s"), [])
            .AddImaBuf("kexec-cmdline", "console=ttyS0"u8.ToArray());
        var bytes = writer.ToBinary();
        var result = ImaReplay.Replay(ImaLog.Parse(bytes), new ImaReplayOptions { Banks = [bank] });
        Assert.True(result.Succeeded);
        var pcr10 = result.State.GetPcr(bank, 10);

        using var dir = new TempDir();
        var log = Path.Combine(dir.Path, "binary_runtime_measurements");
        File.WriteAllBytes(log, bytes);
        Assert.Equal(0, Run(evmctl, dir.Path, log, bank, pcr10));

        pcr10[0] ^= 1;
        Assert.NotEqual(0, Run(evmctl, dir.Path, log, bank, pcr10));
    }

    private static ImaLogWriter OldTemplateLog()
    {
        var writer = new ImaLogWriter().AddBootAggregate(SHA1.HashData("agg"u8), template: "ima");
        for (var i = 0; i < 50; i++)
        {
            writer.AddIma($"/usr/bin/tool-{i}", SHA1.HashData(Encoding.UTF8.GetBytes($"tool {i}")));
        }

        return writer;
    }

    private int Run(string evmctl, string dir, string log, TpmAlgId bank, byte[] pcr10)
    {
        // evmctl's PCR file: "PCR-NN: hex" lines for PCRs 0-23 in order (ima-evm-utils read_one_bank).
        var pcrs = Path.Combine(dir, $"pcrs-{bank.Name()}");
        var text = new StringBuilder();
        for (var i = 0; i < 24; i++)
        {
            var value = i == 10 ? pcr10 : new byte[pcr10.Length];
            text.Append($"PCR-{i:D2}: {Convert.ToHexStringLower(value)}\n");
        }

        File.WriteAllText(pcrs, text.ToString());
        var start = new ProcessStartInfo(evmctl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // --ignore-violations makes evmctl extend a violation as 0xFF, as the kernel does; without it
        // evmctl extends the logged zeros, so that any log with a violation fails to match.
        foreach (var arg in new[] { "ima_measurement", "--ignore-violations", "--pcrs", $"{bank.Name()},{pcrs}", log })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "evmctl did not finish");
        output.WriteLine($"evmctl exit {process.ExitCode}: {stdout.Result}{stderr.Result}");
        return process.ExitCode;
    }

    internal static string? FindEvmctl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "evmctl"))
            .FirstOrDefault(File.Exists);

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ima-evmctl-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
