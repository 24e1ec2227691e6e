using Attest.ServiceDefaults.Hosting;
using Attest.Verifier;
using Attest.Verifier.Baselines;
using Attest.Verifier.Credentials;
using Attest.Verifier.Evidence;
using Attest.Verifier.Firmware;
using Attest.Verifier.History;
using Attest.Verifier.Policies;
using Attest.Verifier.Registry;
using Attest.Verifier.Sessions;
using Attest.Verifier.Storage;

// prometheus-net re-exports every .NET meter by default. Npgsql's fire on every database command and ASP.NET Core's on
// every request (duplicating UseHttpMetrics' http_request_* series): a label lookup and histogram update each time,
// about a tenth of the verifier's CPU on PostgreSQL under load (perf, docs/performance.md). Runtime and HttpClient
// meters stay. Must run before anything touches the default registry.
Prometheus.Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = instrument =>
    !instrument.Meter.Name.StartsWith("Npgsql", StringComparison.Ordinal)
    && !instrument.Meter.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

var builder = WebApplication.CreateBuilder(args);
builder.AddAttestServiceDefaults("verifier");
builder.Services.AddOptions<VerifierOptions>().Bind(builder.Configuration.GetSection(VerifierOptions.SectionName))
    .ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<VerifierStore>();
builder.Services.AddSingleton<SessionService>();
builder.Services.AddSingleton<VerificationKeyCache>();
builder.Services.AddSingleton<AttestationPipeline>();
builder.Services.AddSingleton<AttestationHistory>();
builder.Services.AddSingleton<BaselineEvaluator>();
builder.Services.AddSingleton<FirmwareStore>();
builder.Services.AddSingleton<FirmwareCatalog>();
builder.Services.AddSingleton<Attest.Policies.Evaluation.IFirmwareCatalog, PolicyFirmwareCatalog>();
builder.Services.AddSingleton<IAttestationObserver, ChangeWindowObserver>();
builder.Services.AddSingleton<PolicyStore>();
builder.Services.AddSingleton<PolicyCache>();
builder.Services.AddSingleton<PolicyDryRun>();
builder.Services.AddSingleton<IAttestationCheck, PolicyCheck>();
builder.Services.AddRegistrarClient(builder.Environment.ContentRootPath);
builder.Services.AddCredentials();

var app = builder.Build();
app.UseAttestServiceDefaults(typeof(Program).Assembly);
await app.Services.GetRequiredService<FirmwareCatalog>().RefreshAsync(CancellationToken.None);
// Load or create the CA now: a bad key (permissions, secret) must stop start-up, not the first issuance.
_ = app.Services.GetRequiredService<CertificateAuthority>();
app.MapSessionEndpoints();
app.MapHistoryEndpoints();
app.MapBaselineEndpoints();
app.MapFirmwareEndpoints();
app.MapCredentialEndpoints();
app.MapPolicyEndpoints();
app.Run();

/// <summary>Entry point, also the marker type for WebApplicationFactory.</summary>
public partial class Program;
