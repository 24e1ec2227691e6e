using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Attest.LoadTest;

/// <summary>
/// One service (registrar or verifier) as its own process on a free loopback port, started the way start.sh starts
/// it (its build output as content root, so its appsettings.json applies; paths and keys through environment
/// variables), with its console output in a log file.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(string name, Process process, Uri baseAddress, string logPath)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public static async Task<ServiceProcess> StartAsync(string name, string assembly, LoadOptions options, string dataDirectory,
        IReadOnlyDictionary<string, string> settings, HttpClient probe, CancellationToken ct)
    {
        var plainHttp = options.PlainHttp;
        var binDirectory = options.ServicesFrom is null ? RepositoryLayout.ServiceOutput(name) : Path.Combine(options.ServicesFrom, name);
        var dll = Path.Combine(binDirectory, assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} not built: run `dotnet build -c Release bench/Attest.LoadTest` first", dll);
        }

        var baseAddress = new Uri($"{(plainHttp ? "http" : "https")}://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}/");
        var logPath = Path.Combine(dataDirectory, name + ".log");
        var start = new ProcessStartInfo("/bin/sh")
        {
            // exec: the shell becomes the service, so killing this pid stops the service itself.
            ArgumentList = { "-c", "exec dotnet \"$0\" --contentRoot \"$1\" >\"$2\" 2>&1", dll, binDirectory, logPath },
            UseShellExecute = false,
            WorkingDirectory = binDirectory,
        };
        start.Environment["Urls"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var service = new ServiceProcess(name, process, baseAddress, logPath);
        await service.WaitHealthyAsync(probe, ct);
        return service;
    }

    /// <summary>User + system CPU time of the process so far (from /proc, so it also works for a child we did not build).</summary>
    public TimeSpan CpuTime() => ProcStat.CpuTime(_process.Id, includeChildren: false);

    private async Task WaitHealthyAsync(HttpClient probe, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}; see {LogPath}:\n{Tail()}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(BaseAddress, "healthz"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"{Name} did not become healthy in 60 s; see {LogPath}");
    }

    private string Tail() => File.Exists(LogPath) ? string.Join('\n', File.ReadLines(LogPath).TakeLast(20)) : "";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
