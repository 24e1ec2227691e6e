using Attest.Tpm.Crypto;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.ServiceDefaults.Hosting;

/// <summary>The one crypto profile of a service, from <c>Crypto:Profile</c> (<c>default</c> or <c>fips</c>).</summary>
public static class CryptoProfileRegistration
{
    public static CryptoProfile FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration["Crypto:Profile"];
        try
        {
            return CryptoProfile.FromName(name);
        }
        catch (ArgumentException ex)
        {
            // Fail start-up with the key's name: a typo must not silently weaken the profile.
            throw new InvalidOperationException($"Crypto:Profile: {ex.Message}", ex);
        }
    }

    public static IServiceCollection AddCryptoProfile(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => FromConfiguration(configuration));
}
