using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Builds the CA's CRL from the database on request (RFC 5280 §5): always current, so a revocation is visible on
/// the next fetch; the CRL number is the build time in milliseconds, which only grows.
/// </summary>
internal sealed class CrlPublisher(CredentialStore store, CertificateAuthority ca, IOptions<VerifierOptions> options, TimeProvider clock)
{
    public async Task<byte[]> BuildAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var builder = new CertificateRevocationListBuilder();
        foreach (var row in await store.RevokedCertificatesAsync(now.ToUnixTimeMilliseconds(), ct))
        {
            builder.AddEntry(Convert.FromHexString(row.Serial), DateTimeOffset.FromUnixTimeMilliseconds(row.RevokedAt ?? row.CreatedAt), Reason(row.RevokedReason));
        }

        return builder.Build(ca.Certificate.SubjectName, ca.Signer, now.ToUnixTimeMilliseconds(), now + options.Value.Credentials.Certificates.CrlLifetime,
            ca.Hash, ca.AuthorityKeyIdentifier, now);
    }

    private static X509RevocationReason Reason(string? reason) => reason switch
    {
        RevocationReasons.NodeReenrolled => X509RevocationReason.Superseded,
        RevocationReasons.AttestationFailed => X509RevocationReason.KeyCompromise,
        _ => X509RevocationReason.Unspecified,
    };
}
