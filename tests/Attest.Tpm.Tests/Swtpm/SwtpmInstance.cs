using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Attest.Tpm.Client;

namespace Attest.Tpm.Tests.Swtpm;

/// <summary>
/// One running swtpm (TPM 2.0) on 127.0.0.1 with its own copy of the manufactured state: an RSA-2048
/// EK at 0x81010001 (certificate at NV 0x01C00002), an ECC P-384 EK at 0x81010016 (certificate at
/// 0x01C00016), sha1/sha256/sha384 banks. The control port is the data port + 1, which is where
/// tpm2-tss's swtpm TCTI looks for it. swtpm serves one connection at a time: dispose a
/// <see cref="TpmClient"/> before running a tpm2-tools command that talks to the TPM.
/// </summary>
public sealed class SwtpmInstance : IAsyncDisposable
{
    private const uint CtrlShutdown = 3; // swtpm ctrl CMD_SHUTDOWN: orderly exit, state saved

    private readonly SwtpmManufacturer _manufacturer;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private bool _disposed;

    private SwtpmInstance(SwtpmManufacturer manufacturer, string directory)
    {
        _manufacturer = manufacturer;
        Directory = directory;
    }

    public string Host => "127.0.0.1";

    /// <summary>TPM command port; may change on <see cref="RestartAsync"/> if the old one was taken meanwhile.</summary>
    public int Port { get; private set; }

    public int ControlPort => Port + 1;

    /// <summary>Temp dir of this instance (state in <c>state/</c>), deleted on dispose.</summary>
    public string Directory { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    /// <summary>The <c>--tpm</c> argument for our CLI and <see cref="TpmClient.Open"/>.</summary>
    public string TpmSpec => $"swtpm:{Host}:{Port}";

    /// <summary>For tpm2-tools: <c>TPM2TOOLS_TCTI</c> / <c>-T</c>.</summary>
    public string Tcti => $"swtpm:host={Host},port={Port}";

    public string RootCaCertificatePath => _manufacturer.RootCaCertificatePath;

    public string IssuerCertificatePath => _manufacturer.IssuerCertificatePath;

    public SwtpmManufacturer Manufacturer => _manufacturer;

    /// <summary>Wall time of the last process start until its port answered.</summary>
    public TimeSpan LastStartTime { get; private set; }

    /// <summary>swtpm's own output so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Copies the manufactured state and starts swtpm on free ports.</summary>
    public static Task<SwtpmInstance> StartAsync(CancellationToken cancellationToken = default) => StartAsync(distinctIdentity: false, cancellationToken);

    /// <summary>
    /// Starts swtpm on free ports: a copy of the run's manufactured TPM, or with <paramref name="distinctIdentity"/> a
    /// freshly manufactured one whose EKs no other instance shares (another machine, same TPM maker CA).
    /// </summary>
    public static async Task<SwtpmInstance> StartAsync(bool distinctIdentity, CancellationToken cancellationToken = default)
    {
        var manufacturer = await SwtpmManufacturer.GetSharedAsync(cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(Path.GetTempPath(), "attest-swtpm-" + Guid.NewGuid().ToString("N")[..12]);
        var instance = new SwtpmInstance(manufacturer, directory);
        try
        {
            System.IO.Directory.CreateDirectory(instance.StateDirectory);
            if (distinctIdentity)
            {
                await manufacturer.ManufactureDistinctAsync(instance.StateDirectory, cancellationToken).ConfigureAwait(false);
            }

            foreach (var file in distinctIdentity ? [] : System.IO.Directory.GetFiles(manufacturer.StateTemplateDirectory))
            {
                if (!Path.GetFileName(file).StartsWith('.'))
                {
                    File.Copy(file, Path.Combine(instance.StateDirectory, Path.GetFileName(file)));
                }
            }

            await instance.LaunchAsync(cancellationToken).ConfigureAwait(false);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A client over the swtpm socket; dispose it before tpm2-tools use this instance.</summary>
    public TpmClient OpenClient() => TpmClient.Open(TpmSpec);

    /// <summary>
    /// Simulates a node reboot: stops swtpm in an orderly way (state saved) and starts it again on
    /// the same state. swtpm's startup-clear flag then performs TPM2_Startup(CLEAR), a TPM Reset:
    /// PCRs are back to their reset values, transient objects and sessions are gone, resetCount advances.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await StopAsync().ConfigureAwait(false);
        await LaunchAsync(cancellationToken, preferredPort: Port).ConfigureAwait(false);
    }

    /// <summary>Runs a tpm2-tools command against this instance (sequentially with our client; 60 s timeout).</summary>
    public Task<(int ExitCode, string Output)> RunTpm2ToolAsync(string tool, params string[] arguments) =>
        ProcessRunner.RunAsync(tool, arguments, new Dictionary<string, string> { ["TPM2TOOLS_TCTI"] = Tcti }, TimeSpan.FromSeconds(60));

    private async Task LaunchAsync(CancellationToken cancellationToken, int preferredPort = 0)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var port = attempt == 0 && preferredPort != 0 ? preferredPort : FindFreePortPair();
            var watch = Stopwatch.StartNew();
            var process = Spawn(port);
            try
            {
                if (await WaitUntilListeningAsync(process, port, cancellationToken).ConfigureAwait(false))
                {
                    _process = process;
                    Port = port;
                    LastStartTime = watch.Elapsed;
                    return;
                }

                // Exited: most likely lost a race for the ports; try another pair.
                last = new InvalidOperationException($"swtpm exited with code {process.ExitCode} on port {port}:\n{Log}");
            }
            catch
            {
                Kill(process);
                process.Dispose();
                throw;
            }

            process.Dispose();
        }

        throw new InvalidOperationException("swtpm did not start after 8 attempts", last);
    }

    private Process Spawn(int port)
    {
        var info = new ProcessStartInfo(SwtpmEnvironment.SwtpmPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "socket", "--tpm2",
            "--tpmstate", $"dir={StateDirectory}",
            "--server", $"type=tcp,port={port},bindaddr={Host}",
            "--ctrl", $"type=tcp,port={port + 1},bindaddr={Host}",
            "--flags", "not-need-init,startup-clear",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <returns>True once the data port accepts connections; false if the process exited first.</returns>
    private async Task<bool> WaitUntilListeningAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                return false;
            }

            // The control port: probing it does not occupy the single data connection.
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port + 1, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"swtpm did not listen on {port} within 10 s:\n{Log}");
    }

    /// <summary>Two consecutive free loopback ports (data, control); the OS picks the first.</summary>
    private static int FindFreePortPair()
    {
        for (var i = 0; i < 50; i++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port >= 65535)
            {
                continue;
            }

            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                second.Stop();
                return port;
            }
            catch (SocketException)
            {
                // port + 1 is taken; ask again.
            }
        }

        throw new InvalidOperationException("no two consecutive free TCP ports on 127.0.0.1");
    }

    /// <summary>Orderly stop through the control channel (CMD_SHUTDOWN), falling back to killing the process.</summary>
    private async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                try
                {
                    using var ctrl = new TcpClient();
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await ctrl.ConnectAsync(IPAddress.Loopback, Port + 1, timeout.Token).ConfigureAwait(false);
                    var stream = ctrl.GetStream();
                    var command = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(command, CtrlShutdown);
                    await stream.WriteAsync(command, timeout.Token).ConfigureAwait(false);
                    var result = new byte[4];
                    await stream.ReadExactlyAsync(result, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
                {
                    // Fall through to the kill below.
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill(process);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var process = _process;
        _process = null;
        if (process is not null)
        {
            // Teardown does not need an orderly shutdown: the state is thrown away.
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            process.Dispose();
        }

        SwtpmManufacturer.TryDelete(Directory);
    }
}

/// <summary>
/// xunit class fixture: one swtpm per test class, started before its first test. Without swtpm
/// (and CI not set) it starts nothing and the <c>[SwtpmFact]</c> tests are skipped.
/// </summary>
public sealed class SwtpmFixture : IAsyncLifetime
{
    private SwtpmInstance? _instance;

    public SwtpmInstance Instance => _instance ?? throw new InvalidOperationException(SwtpmEnvironment.SkipReason ?? "swtpm fixture not started");

    public async Task InitializeAsync()
    {
        if (SwtpmEnvironment.SkipReason is not null)
        {
            return;
        }

        _instance = await SwtpmInstance.StartAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync().ConfigureAwait(false);
        }
    }
}
