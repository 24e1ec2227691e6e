using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>A self-signed certificate for db/PK/KEK entries in written logs (created once per test run).</summary>
public static class TestCertificates
{
    private static readonly Lazy<byte[]> DbCertificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Attest Test db CA, O=Attest", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return cert.RawData;
    });

    public static byte[] Db => DbCertificate.Value;

    public static string DbThumbprint => Convert.ToHexStringLower(SHA256.HashData(Db));
}
