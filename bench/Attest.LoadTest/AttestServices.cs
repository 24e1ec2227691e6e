using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.ServiceDefaults.Security;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;
using Npgsql;

namespace Attest.LoadTest;

/// <summary>
/// The registrar and the verifier as separate processes on 127.0.0.1, each on its own database (SQLite files, or
/// two fresh PostgreSQL databases), the verifier reading the registrar over HTTP as deployed.
/// </summary>
internal sealed class AttestServices : IAsyncDisposable
{
    private readonly LoadOptions _options;
    private readonly string _data;
    private readonly List<string> _postgresDatabases = [];
    private NpgsqlDataSource? _postgresAdmin;

    private AttestServices(LoadOptions options, string data)
    {
        _options = options;
        _data = data;
    }

    public string AdminKey { get; } = ApiKeyStore.NewKey();

    public string AuditorKey { get; } = ApiKeyStore.NewKey();

    public ServiceProcess Registrar { get; private set; } = null!;

    public ServiceProcess Verifier { get; private set; } = null!;

    public X509Certificate2? Certificate { get; private set; }

    /// <summary>The verifier's database, for the consistency check.</summary>
    public Database VerifierDatabase { get; private set; } = null!;

    /// <summary>The PostgreSQL server process (postmaster), to account its CPU time; null on SQLite.</summary>
    public int? PostmasterPid { get; private set; }

    public string DataDirectory => _data;

    public static async Task<AttestServices> StartAsync(LoadOptions options, CancellationToken ct)
    {
        var data = Directory.CreateTempSubdirectory("attest-load-").FullName;
        var services = new AttestServices(options, data);
        try
        {
            await services.StartServicesAsync(ct);
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    private async Task StartServicesAsync(CancellationToken ct)
    {
        var (registrarDb, verifierDb) = await CreateDatabasesAsync(ct);
        var provider = _options.Database == DatabaseKind.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        VerifierDatabase = new Database(provider, verifierDb);
        var common = new Dictionary<string, string>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Auth:ApiKeys:0:Name"] = "load-admin",
            ["Auth:ApiKeys:0:Hash"] = ApiKeyStore.FormatHash(AdminKey),
            ["Auth:ApiKeys:0:Roles:0"] = Roles.Admin,
            ["Auth:ApiKeys:1:Name"] = "load-auditor",
            ["Auth:ApiKeys:1:Hash"] = ApiKeyStore.FormatHash(AuditorKey),
            ["Auth:ApiKeys:1:Roles:0"] = Roles.Auditor,
            ["Auth:BootstrapKeyFile"] = Path.Combine(_data, "admin.key"),
            ["Tls:DevelopmentCertificatePath"] = Path.Combine(_data, "tls", "dev.pfx"),
        };
        using var probe = TrustingProbe();
        // Simulated nodes have software EKs without certificates: allowed for every node, for the load test only.
        Registrar = await ServiceProcess.StartAsync("registrar", "attest-registrar", _options, _data, With(common, new()
        {
            ["Database:ConnectionString"] = registrarDb,
            ["Registrar:AllowEkWithoutCertificate:0"] = "*",
            ["Registrar:EkCertificates:RootDirectory"] = Directory.CreateDirectory(Path.Combine(_data, "tpm-ca")).FullName,
        }), probe, ct);
        Verifier = await ServiceProcess.StartAsync("verifier", "attest-verifier", _options, _data, With(common, new()
        {
            ["Database:ConnectionString"] = verifierDb,
            ["Verifier:Registrar:Url"] = Registrar.BaseAddress.ToString(),
            ["Verifier:Registrar:ApiKey"] = AuditorKey,
            ["Verifier:Registrar:TrustedCertificate"] = Path.Combine(_data, "tls", "dev.pem"),
        }), probe, ct);
        var pfx = Path.Combine(_data, "tls", "dev.pfx");
        Certificate = File.Exists(pfx) ? X509CertificateLoader.LoadPkcs12FromFile(pfx, password: null) : null;
    }

    private Dictionary<string, string> With(Dictionary<string, string> common, Dictionary<string, string> own)
    {
        var all = new Dictionary<string, string>(common);
        foreach (var (key, value) in own)
        {
            all[key] = value;
        }

        foreach (var (key, value) in _options.Settings)
        {
            all[key] = value;
        }

        return all;
    }

    // The certificate does not exist before the first service starts: the health probe accepts any certificate
    // (loopback, our own child process); every client after that pins it.
    private static HttpClient TrustingProbe()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }

    private async Task<(string Registrar, string Verifier)> CreateDatabasesAsync(CancellationToken ct)
    {
        if (_options.Database == DatabaseKind.Sqlite)
        {
            return ($"Data Source={Path.Combine(_data, "registrar.db")}", $"Data Source={Path.Combine(_data, "verifier.db")}");
        }

        if (_options.PostgresConnection is null)
        {
            var server = await PostgresServer.GetAsync();
            var registrar = await server.CreateDatabaseAsync(ct);
            var verifier = await server.CreateDatabaseAsync(ct);
            await FindPostmasterAsync(verifier, ct);
            return (registrar, verifier);
        }

        _postgresAdmin = NpgsqlDataSource.Create(_options.PostgresConnection);
        var names = new[] { "registrar", "verifier" }.Select(s => $"attest_load_{s}_{RandomNumberGenerator.GetHexString(8, lowercase: true)}").ToArray();
        foreach (var name in names)
        {
            await using var create = _postgresAdmin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync(ct);
            _postgresDatabases.Add(name);
        }

        string For(string name) => new NpgsqlConnectionStringBuilder(_options.PostgresConnection) { Database = name }.ConnectionString;
        await FindPostmasterAsync(For(names[1]), ct);
        return (For(names[0]), For(names[1]));
    }

    /// <summary>A backend's parent is the postmaster (only when the server runs on this machine: the CPU split is then reported).</summary>
    private async Task FindPostmasterAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        var parent = ProcStat.Parent(backend);
        PostmasterPid = parent > 0 ? parent : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Verifier is not null)
        {
            await Verifier.DisposeAsync();
        }

        if (Registrar is not null)
        {
            await Registrar.DisposeAsync();
        }

        if (VerifierDatabase is not null)
        {
            await VerifierDatabase.DisposeAsync();
        }

        if (_postgresAdmin is not null)
        {
            foreach (var name in _postgresDatabases)
            {
                await using var drop = _postgresAdmin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
            }

            await _postgresAdmin.DisposeAsync();
        }

        if (!_options.Keep)
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
