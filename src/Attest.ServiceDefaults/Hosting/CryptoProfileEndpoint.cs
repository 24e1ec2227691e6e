using Attest.Tpm.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Attest.ServiceDefaults.Hosting;

/// <summary>GET /v1/crypto-profile: the active algorithm policy, for operators and for the conductor to check before trusting a service.</summary>
public static class CryptoProfileEndpoint
{
    public sealed record CryptoProfileInfo(string Profile, bool Fips, IReadOnlyList<string> TlsProtocols, IReadOnlyList<string>? TlsCipherSuites, string Module);

    public static IEndpointRouteBuilder MapCryptoProfileEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/crypto-profile", (CryptoProfile profile) => TypedResults.Ok(new CryptoProfileInfo(
                profile.Name,
                profile.IsFips,
                ["TLS 1.2", "TLS 1.3"],
                profile.TlsCipherSuites?.Select(s => s.ToString()).ToArray(),
                // What runs the cryptography; whether it is a validated module is the host's OpenSSL configuration (SECURITY.md).
                "platform (OpenSSL via .NET)")))
            .AllowAnonymous().WithTags("Crypto").WithSummary("The active crypto profile (default or fips)");
        return app;
    }
}
