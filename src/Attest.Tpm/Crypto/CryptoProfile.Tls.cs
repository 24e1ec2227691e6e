using System.Net.Security;

namespace Attest.Tpm.Crypto;

/// <summary>The profile's TLS rules for the services' listeners (SP 800-52 Rev. 2; shared/fips.md).</summary>
public sealed partial class CryptoProfile
{
    private static readonly TlsCipherSuite[] FipsSuites =
    [
        // TLS 1.3: AES-GCM and AES-CCM only (no CHACHA20_POLY1305).
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_128_CCM_SHA256,
        // TLS 1.2: ephemeral ECDHE/DHE key exchange with AES-GCM; no static RSA, no CBC, no ChaCha.
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>
    /// Cipher suites a listener may negotiate; null leaves the platform's defaults (the default profile). Protocol
    /// versions are TLS 1.2 and 1.3 under every profile.
    /// </summary>
    public IReadOnlyList<TlsCipherSuite>? TlsCipherSuites => IsFips ? FipsSuites : null;
}
