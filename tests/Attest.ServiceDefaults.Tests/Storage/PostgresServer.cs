using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// A throwaway PostgreSQL cluster, one per test process: <c>initdb</c> into a temp directory, started with
/// <c>pg_ctl</c> on a free loopback port, stopped and deleted when the process exits. Tests ask it for databases
/// (<see cref="CreateDatabaseAsync"/>), which are cheap; the cluster is not.
/// </summary>
/// <remarks>
/// Binaries: <c>ATTEST_PG_BINDIR</c>, else the highest <c>/usr/lib/postgresql/*/bin</c> (Debian), else
/// <c>pg_config --bindir</c>. initdb and postgres refuse to run as root, so under root (CI) they run as the
/// <c>postgres</c> system user through <c>runuser</c>.
/// </remarks>
public sealed class PostgresServer
{
    private const string DirectoryPrefix = "attest-pg-";
    private const string SystemUser = "postgres";
    private const int StartAttempts = 5;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<string?> UnavailableReasonValue = new(FindUnavailableReason, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => Task.Run(Start), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _binDirectory;
    private readonly string _root;
    private readonly string _dataDirectory;
    private readonly NpgsqlDataSource _admin;
    private readonly string _createStrategy;
    private int _databaseCount;
    private int _stopped;

    private PostgresServer(string binDirectory, string root, int port, NpgsqlDataSource admin, string serverVersion, TimeSpan initDbTime, TimeSpan startTime, TimeSpan totalTime)
    {
        _binDirectory = binDirectory;
        _root = root;
        _dataDirectory = Path.Combine(root, "data");
        _admin = admin;
        Port = port;
        ServerVersion = serverVersion;
        InitDbTime = initDbTime;
        StartTime = startTime;
        StartupTime = totalTime;
        // FILE_COPY (PostgreSQL 15+) copies template1's files instead of WAL-logging every page: about half the
        // time per database here, and crash safety is irrelevant for a throwaway cluster with fsync off.
        _createStrategy = int.Parse(serverVersion.Split('.')[0], CultureInfo.InvariantCulture) >= 15 ? " STRATEGY = FILE_COPY" : "";
    }

    /// <summary>True when the environment says this is CI (<c>CI=true</c>): PostgreSQL tests must run there, never skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a cluster cannot be started on this machine, or null when it can. Cheap: no process is started.</summary>
    public static string? UnavailableReason => UnavailableReasonValue.Value;

    /// <summary>The skip message for PostgreSQL tests: null when they can run, and always null in CI (there they fail).</summary>
    public static string? SkipReason => IsCi || UnavailableReason is null
        ? null
        : $"PostgreSQL tests skipped: {UnavailableReason}. Install PostgreSQL (scripts/prerequisites.sh) or set ATTEST_PG_BINDIR; with CI=true these tests fail instead.";

    public int Port { get; }

    /// <summary>The server's version string (e.g. <c>15.14</c>).</summary>
    public string ServerVersion { get; }

    public TimeSpan InitDbTime { get; }

    public TimeSpan StartTime { get; }

    /// <summary>Whole start-up: stale-directory clean-up, initdb, pg_ctl start and the first connection.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>The process's cluster, started on first use; every later caller gets the same one (or the same failure).</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Pooling=true";

    /// <summary>Creates an empty, uniquely named database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "attest_test_" + Interlocked.Increment(ref _databaseCount).ToString(CultureInfo.InvariantCulture);
        await using var command = _admin.CreateCommand($"CREATE DATABASE {name}{_createStrategy}");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Database is not { } name || !name.StartsWith("attest_test_", StringComparison.Ordinal))
        {
            throw new ArgumentException("not a database made by this server", nameof(connectionString));
        }

        // Idle connections left in Npgsql's global pool (DbUp opens its own) would otherwise count against max_connections.
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await using var command = _admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static PostgresServer Start()
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(
                $"Cannot start the test PostgreSQL cluster: {reason}. "
                + (IsCi ? "CI=true, so PostgreSQL storage tests fail instead of being skipped. " : "")
                + "Install PostgreSQL (scripts/prerequisites.sh installs the Debian package) or set ATTEST_PG_BINDIR to its bin folder.");
        }

        var total = Stopwatch.StartNew();
        var binDirectory = FindBinDirectory()!;
        var parent = TempParent();
        RemoveStaleClusters(parent, binDirectory);

        var root = Path.Combine(parent, $"{DirectoryPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}");
        var dataDirectory = Path.Combine(root, "data");
        var socketDirectory = Path.Combine(root, "sock");
        try
        {
            Directory.CreateDirectory(socketDirectory);
            if (IsRoot)
            {
                Run(root, "chown", ["-R", SystemUser + ":", root], asPostgres: false).ThrowIfFailed("chown");
            }

            StartWatchdog(binDirectory, root);

            var initDb = Stopwatch.StartNew();
            Run(root, Path.Combine(binDirectory, "initdb"), ["-D", dataDirectory, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], IsRoot)
                .ThrowIfFailed("initdb");
            initDb.Stop();

            var started = Stopwatch.StartNew();
            var port = StartOnFreePort(binDirectory, root, dataDirectory, socketDirectory);
            started.Stop();

            var admin = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=true");
            string version;
            using (var connection = admin.OpenConnection())
            {
                version = connection.ServerVersion;
            }

            total.Stop();
            var server = new PostgresServer(binDirectory, root, port, admin, version, initDb.Elapsed, started.Elapsed, total.Elapsed);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            return server;
        }
        catch
        {
            StopAndDelete(binDirectory, root);
            throw;
        }
    }

    /// <summary>Another process can take the port between our probe and postgres binding it; then try another.</summary>
    private static int StartOnFreePort(string binDirectory, string root, string dataDirectory, string socketDirectory)
    {
        var log = Path.Combine(root, "postgres.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = $"-p {port.ToString(CultureInfo.InvariantCulture)} -k \"{socketDirectory}\" -c listen_addresses=127.0.0.1 "
                + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            var result = Run(root, Path.Combine(binDirectory, "pg_ctl"), ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", log, "-o", options], IsRoot);
            if (result.ExitCode == 0)
            {
                return port;
            }

            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "";
            var portTaken = serverLog.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                || serverLog.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
            if (!portTaken || attempt == StartAttempts)
            {
                throw new InvalidOperationException($"pg_ctl start failed (exit {result.ExitCode}, attempt {attempt}): {result.Output}\n{serverLog}");
            }

            File.Delete(log);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// At exit only signal the postmaster: under <c>dotnet test</c> the test host is killed soon after ProcessExit
    /// starts (observed: before a waiting <c>pg_ctl stop -w</c> returned), too soon to delete the directory.
    /// The watchdog does that once this process is gone.
    /// </summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            try
            {
                Run(_root, Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-W", "-m", "immediate", "-D", _dataDirectory], IsRoot);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
            {
                // The watchdog stops it anyway.
            }
        }
    }

    /// <summary>
    /// A detached shell (own session, so neither the test host's kill nor Ctrl-C of <c>dotnet test</c> takes it
    /// along) that waits for this process to end, however it ends, then stops the cluster and deletes its directory.
    /// </summary>
    private static void StartWatchdog(string binDirectory, string root)
    {
        const string script = """
            exec </dev/null >/dev/null 2>&1
            while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
            if [ -f "$3/data/postmaster.pid" ]; then $4 "$2/pg_ctl" stop -w -t 20 -m immediate -D "$3/data"; fi
            rm -rf "$3"
            """;
        var setsid = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : null;
        var start = new ProcessStartInfo
        {
            FileName = setsid ?? "/bin/sh",
            WorkingDirectory = root,
            UseShellExecute = false,
            // Our own pipes, not the test host's stdout: the runner must not wait on a handle the watchdog holds.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("/bin/sh");
        }

        foreach (var argument in new[] { "-c", script, "attest-pg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), binDirectory, root, IsRoot ? "runuser -u postgres --" : "" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the cluster watchdog");
        if (setsid is not null)
        {
            process.WaitForExit(); // setsid -f returns once the watchdog is forked off
        }
    }

    private static void StopAndDelete(string binDirectory, string root)
    {
        var dataDirectory = Path.Combine(root, "data");
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            // Immediate: nothing in a throwaway cluster is worth a clean shutdown checkpoint.
            try
            {
                Run(root, Path.Combine(binDirectory, "pg_ctl"), ["stop", "-w", "-t", "20", "-m", "immediate", "-D", dataDirectory], IsRoot);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
            {
                // Best effort at exit; the next run's stale-directory sweep retries.
            }
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next run's sweep.
        }
    }

    /// <summary>
    /// A test process that was killed leaves its directory and maybe a running postmaster behind. Remove those whose
    /// owning test process is gone; the postmaster is stopped only if it really is the one serving that directory.
    /// </summary>
    private static void RemoveStaleClusters(string parent, string binDirectory)
    {
        foreach (var directory in Directory.EnumerateDirectories(parent, DirectoryPrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[DirectoryPrefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var ownerPid) || IsAlive(ownerPid))
            {
                continue;
            }

            var dataDirectory = Path.Combine(directory, "data");
            if (!PostmasterServes(dataDirectory))
            {
                // No live postmaster for it: nothing to stop, so pg_ctl must not signal whatever reused that pid.
                TryDelete(Path.Combine(dataDirectory, "postmaster.pid"));
            }

            StopAndDelete(binDirectory, directory);
        }
    }

    private static bool PostmasterServes(string dataDirectory)
    {
        try
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return false;
            }

            var commandLine = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            return commandLine.Contains(dataDirectory, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // StopAndDelete will then try pg_ctl, which refuses a postmaster that is not running.
        }
    }

    /// <summary>
    /// The temp folder, unless we are root and the postgres user cannot reach it (TMPDIR under /root): then /tmp.
    /// </summary>
    private static string TempParent()
    {
        var temp = Path.GetFullPath(Path.GetTempPath());
        if (!IsRoot)
        {
            return temp;
        }

        for (var directory = new DirectoryInfo(temp); directory is not null; directory = directory.Parent)
        {
            if (!directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return "/tmp";
            }
        }

        return temp;
    }

    private static string? FindUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the test cluster runs on Linux only";
        }

        var binDirectory = FindBinDirectory();
        if (binDirectory is null)
        {
            return "no PostgreSQL server binaries found (looked in ATTEST_PG_BINDIR, /usr/lib/postgresql/*/bin and pg_config --bindir)";
        }

        foreach (var tool in Tools)
        {
            if (!File.Exists(Path.Combine(binDirectory, tool)))
            {
                return $"{tool} is missing from {binDirectory}";
            }
        }

        if (IsRoot && !File.ReadLines("/etc/passwd").Any(line => line.StartsWith(SystemUser + ":", StringComparison.Ordinal)))
        {
            return "running as root, and initdb/postgres refuse root, but there is no 'postgres' system user to run them as";
        }

        if (IsRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            return "running as root, and initdb/postgres refuse root, but runuser is not installed to run them as 'postgres'";
        }

        return null;
    }

    private static readonly string[] Tools = ["initdb", "pg_ctl", "postgres"];

    private static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("ATTEST_PG_BINDIR");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        // Debian/Ubuntu install each major version side by side; take the newest.
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.EnumerateDirectories(debian)
                .Select(d => (Version: ParseMajor(Path.GetFileName(d)), Bin: Path.Combine(d, "bin")))
                .Where(c => c.Version is not null && Tools.All(t => File.Exists(Path.Combine(c.Bin, t))))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Bin)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        try
        {
            var result = Run(Environment.CurrentDirectory, "pg_config", ["--bindir"], asPostgres: false);
            var bin = result.Output.Trim();
            return result.ExitCode == 0 && Directory.Exists(bin) ? bin : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static Version? ParseMajor(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private static bool IsRoot => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    private static ToolResult Run(string workingDirectory, string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        // The working directory is ours because postgres tools complain when they cannot read the current one (/root).
        var start = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : fileName,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (asPostgres)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(SystemUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {start.FileName}: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(ToolTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish within {ToolTimeout.TotalSeconds} s: {output}");
        }

        process.WaitForExit(); // flushes the asynchronous output readers
        lock (output)
        {
            return new ToolResult(Path.GetFileName(fileName), process.ExitCode, output.ToString());
        }
    }

    private sealed record ToolResult(string Tool, int ExitCode, string Output)
    {
        public void ThrowIfFailed(string step)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{step} failed (exit {ExitCode}): {Output}");
            }
        }
    }
}
