using System.Net.Security;
using Attest.Tpm.Crypto;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Attest.ServiceDefaults.Hosting;

/// <summary>Applies the crypto profile's TLS rules to a Kestrel HTTPS listener (tests apply it to their own listeners).</summary>
public static class TlsListenerPolicy
{
    public static void Apply(HttpsConnectionAdapterOptions https, CryptoProfile profile)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(profile);
        https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        if (profile.TlsCipherSuites is not { } suites)
        {
            return;
        }

        // CipherSuitesPolicy exists on OpenSSL platforms only; elsewhere a fips listener cannot be restricted, so it must not start.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the fips crypto profile restricts TLS cipher suites, which this platform cannot do");
        }

        var policy = new CipherSuitesPolicy(suites);
        https.OnAuthenticate = (_, options) => options.CipherSuitesPolicy = policy;
    }
}
