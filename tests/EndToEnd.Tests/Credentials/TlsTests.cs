using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Hosting;
using Attest.ServiceDefaults.Storage;
using Attest.Tpm.Crypto;
using Attest.Tpm.Tests.Swtpm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Attest.EndToEnd.Tests.Credentials;

/// <summary>
/// TLS under the crypto profile: a Kestrel listener configured by the services' own <see cref="TlsListenerPolicy"/>
/// probed with openssl s_client, and a mutual TLS handshake between two agent certificates the verifier issued.
/// </summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Fips_listener_refuses_tls11_and_unapproved_suites_that_the_default_listener_accepts()
    {
        await using var fips = await ListenerAsync(CryptoProfile.Fips);
        await using var lenient = await ListenerAsync(CryptoProfile.Default);

        // TLS 1.1: refused by both (the listeners speak TLS 1.2 and 1.3 only); the client is forced past its own floor.
        Assert.False(await HandshakeAsync(fips.Port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"));
        Assert.False(await HandshakeAsync(lenient.Port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"));
        // ChaCha20-Poly1305 is not an approved suite: refused under fips in TLS 1.2 and 1.3; the default listener takes it in TLS 1.3.
        Assert.False(await HandshakeAsync(fips.Port, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"));
        Assert.False(await HandshakeAsync(fips.Port, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"));
        Assert.True(await HandshakeAsync(lenient.Port, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"));
        // AES-CBC suites (in .NET's default TLS 1.2 list) are left out of the fips list, which keeps AEAD suites only.
        Assert.False(await HandshakeAsync(fips.Port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384"));
        Assert.True(await HandshakeAsync(lenient.Port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384"));
        // Approved suites work under fips.
        Assert.True(await HandshakeAsync(fips.Port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"));
        Assert.True(await HandshakeAsync(fips.Port, "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Issued_certificates_authenticate_server_and_client_in_a_fips_tls_handshake()
    {
        var (stack, node, pass) = await CredentialKit.PassingNodeAsync(DatabaseProvider.Sqlite, new Dictionary<string, string>
        {
            ["Crypto:Profile"] = "fips",
            ["Verifier:Credentials:AllowPlainDelivery"] = "true",
        });
        await using var _ = stack;
        await using var __ = node;
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = await IssueAsync(stack, node.NodeId, pass.AttestationId, serverKey);
        var second = await node.AttestAsync(stack);
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var client = await IssueAsync(stack, node.NodeId, second.AttestationId, clientKey);
        using var ca = X509Certificate2.CreateFromPem(await stack.Verifier().GetStringAsync("v1/credentials/ca"));

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var suites = new CipherSuitesPolicy(CryptoProfile.Fips.TlsCipherSuites!);
        X509Certificate2? seenByServer = null;
        var serverSide = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = server,
                ClientCertificateRequired = true,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                CipherSuitesPolicy = suites,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seenByServer = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return ChainsTo(seenByServer, ca, "1.3.6.1.5.5.7.3.2");
                },
            });
            await tls.WriteAsync("ok"u8.ToArray());
        });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var clientTls = new SslStream(tcp.GetStream());
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = $"{node.NodeId}.nodes.attest.internal",
            ClientCertificates = [client],
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && ChainsTo(certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), ca, "1.3.6.1.5.5.7.3.1"),
        });
        var buffer = new byte[2];
        await clientTls.ReadExactlyAsync(buffer);
        await serverSide;

        Assert.Equal("ok"u8.ToArray(), buffer);
        Assert.True(clientTls.IsMutuallyAuthenticated);
        Assert.Equal(client.Thumbprint, seenByServer?.Thumbprint);
        Assert.Contains(clientTls.NegotiatedCipherSuite, CryptoProfile.Fips.TlsCipherSuites!);
    }

    /// <summary>Chain to the agent CA only (no system roots), with the EKU the role needs.</summary>
    private static bool ChainsTo(X509Certificate2? certificate, X509Certificate2 ca, string eku)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(eku));
        return chain.Build(certificate);
    }

    private static async Task<X509Certificate2> IssueAsync(AttestStack stack, string nodeId, string attestationId, ECDsa key)
    {
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var response = await CredentialKit.RequestAsync(stack, nodeId, new CredentialRequest(attestationId, csr, CredentialDelivery.Plain));
        response.EnsureSuccessStatusCode();
        var issued = (await response.Content.ReadFromJsonAsync<IssuedCredentials>())!;
        using var certificate = X509Certificate2.CreateFromPem(issued.Certificate!.CertificatePem);
        using var withKey = certificate.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives SslStream a certificate whose key OpenSSL can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<bool> HandshakeAsync(int port, params string[] options)
    {
        var arguments = string.Join(' ', options);
        var (exit, output) = await ProcessRunner.RunAsync("bash", ["-c", $"openssl s_client -connect 127.0.0.1:{port} -brief {arguments} < /dev/null"], null, TimeSpan.FromSeconds(30));
        return exit == 0 && output.Contains("CONNECTION ESTABLISHED", StringComparison.Ordinal);
    }

    private static async Task<Listener> ListenerAsync(CryptoProfile profile)
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var selfSigned = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            TlsListenerPolicy.Apply(https, profile);
        })));
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Listener(app, new Uri(address).Port, certificate);
    }

    private sealed record Listener(WebApplication App, int Port, X509Certificate2 Certificate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            Certificate.Dispose();
        }
    }
}
