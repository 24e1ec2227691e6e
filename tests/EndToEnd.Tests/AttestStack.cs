using System.Net.Http.Headers;
using Attest.Hooks.Services;
using Attest.Registrar;
using Attest.ServiceDefaults.Security;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;
using Attest.Verifier;
using Attest.Verifier.Registry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// The registrar and the verifier, each through its real ASP.NET Core pipeline (in-memory server) on its own
/// database (SQLite or a real PostgreSQL), the verifier reading the registrar over HTTP. Nodes and operators are
/// HttpClients against them.
/// </summary>
public sealed class AttestStack : IAsyncDisposable
{
    public const string AdminKey = "e2e-admin-key-0123456789abcdef0123456789abcdef";
    public const string AuditorKey = "e2e-auditor-key-0123456789abcdef0123456789abcd";

    private readonly TestDatabase _registrarDb;
    private readonly TestDatabase _verifierDb;
    private readonly ServiceFactory<RegistrarApp> _registrar;
    private readonly ServiceFactory<VerifierApp> _verifier;
    private readonly string _dataDirectory;

    private AttestStack(TestDatabase registrarDb, TestDatabase verifierDb, ServiceFactory<RegistrarApp> registrar, ServiceFactory<VerifierApp> verifier, AdjustableClock clock, string dataDirectory)
    {
        _dataDirectory = dataDirectory;
        _registrarDb = registrarDb;
        _verifierDb = verifierDb;
        _registrar = registrar;
        _verifier = verifier;
        Clock = clock;
    }

    public AdjustableClock Clock { get; }

    public DatabaseProvider Provider => _verifierDb.Provider;

    /// <summary>The verifier's database, for tests that inspect what is stored.</summary>
    public Database VerifierDatabase => _verifierDb.Database;

    /// <summary>Per-stack folder for the verifier's files (the agent CA under <c>ca/</c>).</summary>
    public string DataDirectory => _dataDirectory;

    /// <param name="tpmCaDirectory">The registrar's TPM-maker root folder (e.g. swtpm's local CA).</param>
    /// <param name="settings">Extra configuration for both services (e.g. <c>Crypto:Profile</c>).</param>
    public static async Task<AttestStack> StartAsync(DatabaseProvider provider, string tpmCaDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var registrarDb = await TestDatabase.CreateAsync(provider);
        var verifierDb = await TestDatabase.CreateAsync(provider);
        var clock = new AdjustableClock();
        var dataDirectory = Directory.CreateTempSubdirectory("attest-verifier-data-").FullName;
        var common = new Dictionary<string, string>
        {
            ["Auth:ApiKeys:0:Name"] = "e2e-admin",
            ["Auth:ApiKeys:0:Hash"] = ApiKeyStore.FormatHash(AdminKey),
            ["Auth:ApiKeys:0:Roles:0"] = Roles.Admin,
            ["Auth:ApiKeys:1:Name"] = "e2e-auditor",
            ["Auth:ApiKeys:1:Hash"] = ApiKeyStore.FormatHash(AuditorKey),
            ["Auth:ApiKeys:1:Roles:0"] = Roles.Auditor,
            ["Database:Provider"] = provider.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            common[key] = value;
        }

        var registrar = new ServiceFactory<RegistrarApp>(new Dictionary<string, string>(common)
        {
            ["Database:ConnectionString"] = registrarDb.ConnectionString,
            ["Registrar:EkCertificates:RootDirectory"] = tpmCaDirectory,
        }, clock, null);
        _ = registrar.Server; // start it: the verifier's client needs its handler
        var verifier = new ServiceFactory<VerifierApp>(new Dictionary<string, string>(common)
        {
            ["Database:ConnectionString"] = verifierDb.ConnectionString,
            ["Verifier:Registrar:Url"] = "http://registrar/",
            ["Verifier:Registrar:ApiKey"] = AuditorKey,
            ["Verifier:Registrar:CacheDuration"] = "00:00:00",
            ["Verifier:Credentials:Ca:Directory"] = Path.Combine(dataDirectory, "ca"),
            ["Verifier:Credentials:Ca:KeyPasswordFile"] = Path.Combine(dataDirectory, "ca", "ca-key.secret"),
        }, clock, services => services.AddHttpClient(RegistrarClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => registrar.Server.CreateHandler()));
        _ = verifier.Server;
        return new AttestStack(registrarDb, verifierDb, registrar, verifier, clock, dataDirectory);
    }

    /// <summary>An HttpClient to the registrar; with <paramref name="apiKey"/> it acts as that caller.</summary>
    public HttpClient Registrar(string? apiKey = null) => Client(_registrar, apiKey);

    public HttpClient Verifier(string? apiKey = null) => Client(_verifier, apiKey);

    /// <summary>A handler into the verifier's in-memory server (for clients that build their own HttpClient).</summary>
    public HttpMessageHandler VerifierHandler() => _verifier.Server.CreateHandler();

    /// <summary>The clients the node agent uses, over the in-memory servers.</summary>
    public ServiceClient NodeRegistrar() => new(Registrar(), "registrar", new RetryPolicy(1, TimeSpan.FromSeconds(30), TimeSpan.Zero));

    public ServiceClient NodeVerifier() => new(Verifier(), "verifier", new RetryPolicy(1, TimeSpan.FromSeconds(30), TimeSpan.Zero));

    private static HttpClient Client<T>(ServiceFactory<T> factory, string? apiKey)
        where T : class
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost/"), AllowAutoRedirect = false });
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _verifier.DisposeAsync();
        await _registrar.DisposeAsync();
        await _verifierDb.DisposeAsync();
        await _registrarDb.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private sealed class ServiceFactory<T>(IReadOnlyDictionary<string, string> settings, TimeProvider clock, Action<IServiceCollection>? configure)
        : WebApplicationFactory<T>
        where T : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton(clock);
                configure?.Invoke(services);
            });
        }
    }
}
