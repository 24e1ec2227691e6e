using System.Reflection;
using System.Security.Authentication;
using Attest.ServiceDefaults.Problems;
using Attest.ServiceDefaults.Security;
using Attest.ServiceDefaults.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Attest.ServiceDefaults.Hosting;

/// <summary>What every Attest service sets up the same way: storage, API-key roles, problem details, TLS, OpenAPI, health, metrics.</summary>
public static partial class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddAttestServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var contentRoot = builder.Environment.ContentRootPath;

        services.AddOptions<DatabaseOptions>().Bind(builder.Configuration.GetSection(DatabaseOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiKeyOptions>().Bind(builder.Configuration.GetSection(ApiKeyOptions.SectionName)).ValidateOnStart();
        services.AddOptions<TlsOptions>().Bind(builder.Configuration.GetSection(TlsOptions.SectionName));

        services.AddSingleton(sp => Database.FromOptions(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, serviceName, contentRoot));
        services.AddSingleton(sp => new ApiKeyStore(sp.GetRequiredService<IOptions<ApiKeyOptions>>().Value, contentRoot));
        services.AddSingleton(TimeProvider.System);
        services.AddCryptoProfile(builder.Configuration);

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var (policy, roles) in AccessPolicies.RolesByPolicy)
            {
                options.AddPolicy(policy, p => p.RequireRole(roles));
            }
        });

        services.AddProblemDetails();
        services.AddOpenApi();
        // Malformed JSON bodies become exceptions the problem-details middleware can name, not silent 400s.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                var tls = context.Configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                TlsListenerPolicy.Apply(https, CryptoProfileRegistration.FromConfiguration(context.Configuration));
                https.ServerCertificate = string.IsNullOrEmpty(tls.CertificatePath)
                    ? DevelopmentCertificate.LoadOrCreate(Path.Combine(contentRoot, tls.DevelopmentCertificatePath.Replace("{service}", serviceName, StringComparison.Ordinal)))
                    : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.CertificatePassword);
            });
        });
        return builder;
    }

    /// <summary>Migrates the schema (unless turned off), then adds the middleware and the shared endpoints.</summary>
    public static WebApplication UseAttestServiceDefaults(this WebApplication app, Assembly migrationsAssembly)
    {
        ArgumentNullException.ThrowIfNull(app);
        var database = app.Services.GetRequiredService<Database>();
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            SchemaMigrator.Migrate(database, migrationsAssembly);
        }

        LogProfile(app.Logger, app.Services.GetRequiredService<Attest.Tpm.Crypto.CryptoProfile>().Name);
        var keys = app.Services.GetRequiredService<ApiKeyStore>();
        if (keys.BootstrapKeyPath is not null)
        {
            LogBootstrapKey(app.Logger, keys.BootstrapKeyPath);
        }

        app.UseMiddleware<ProblemDetailsMiddleware>();
        app.UseRouting();
        app.UseMiddleware<RequestSizeGuardMiddleware>();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", async (Database db, Attest.Tpm.Crypto.CryptoProfile profile, CancellationToken ct) =>
        {
            await using var connection = await db.OpenAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(new { status = "ok", database = db.Provider.ToString().ToLowerInvariant(), cryptoProfile = profile.Name });
        }).ExcludeFromDescription();
        app.MapCryptoProfileEndpoint();
        app.MapMetrics("/metrics");
        return app;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Crypto profile: {Profile}")]
    private static partial void LogProfile(ILogger logger, string profile);

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning,
        Message = "No API keys configured: using the generated admin key in {Path}. Configure Auth:ApiKeys for production.")]
    private static partial void LogBootstrapKey(ILogger logger, string path);
}
