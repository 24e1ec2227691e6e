using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Credentials;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Verifier.Registry;
using Attest.Verifier.Evidence;
using Attest.Verifier.Storage;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Credentials;

/// <summary>
/// Flow 4: credentials for a node that has just passed. Every precondition is checked before the attestation's single
/// grant is consumed, so a refused request (bad CSR, wrong delivery) can be corrected and retried.
/// </summary>
internal sealed partial class CredentialIssuance(
    VerifierStore verifierStore,
    CredentialStore store,
    RegistrarClient registrar,
    CertificateAuthority ca,
    AgentCertificateIssuer issuer,
    CredentialRevocation revocation,
    CryptoProfile profile,
    IOptions<VerifierOptions> options,
    TimeProvider clock,
    ILogger<CredentialIssuance> logger)
{
    public async Task<IssuedCredentials> IssueAsync(string nodeId, CredentialRequest request, CancellationToken ct)
    {
        var settings = options.Value.Credentials;
        var now = clock.GetUtcNow();
        var delivery = request.Delivery ?? CredentialDelivery.Tpm;
        if (delivery is not (CredentialDelivery.Tpm or CredentialDelivery.Plain))
        {
            throw ApiProblemException.BadRequest(CredentialErrors.DeliveryRefused, "delivery must be 'tpm' or 'plain'");
        }

        if (delivery == CredentialDelivery.Plain && !settings.AllowPlainDelivery)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.DeliveryRefused,
                "plain delivery is disabled (Verifier:Credentials:AllowPlainDelivery): request 'tpm' delivery and unwrap with ActivateCredential");
        }

        var attestation = await FreshPassAsync(nodeId, request.AttestationId, now, settings.FreshnessWindow, ct);
        var node = await NodeAsync(nodeId, ct);
        var akName = node.ActiveAttestationKey!.Name;
        if (!string.Equals(akName, attestation.AkName, StringComparison.Ordinal))
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.NodeReenrolled,
                $"attestation '{attestation.AttestationId}' was made with an AK the node no longer has: attest again");
        }

        var csr = request.Csr is null ? null : CsrValidator.Validate(request.Csr, profile);
        if (csr is not null)
        {
            TpmKeyProof.Check(csr, request.TpmKey, node.ActiveAttestationKey, attestation.AttestationId, settings.Certificates.RequireTpmKey, profile);
        }

        if (await store.TokenExistsForAttestationAsync(attestation.AttestationId, ct))
        {
            throw AlreadyIssued(attestation.AttestationId);
        }

        // Anything still bound to an earlier AK goes first: the node re-enrolled since it was issued.
        await revocation.RevokeNodeAsync(nodeId, RevocationReasons.NodeReenrolled, "issuance", akName, ct);

        var secret = AgentTokens.NewSecret();
        var token = AgentTokens.Format(secret);
        var tokenRow = new AgentTokenRow
        {
            TokenId = Guid.NewGuid().ToString("N"),
            NodeId = nodeId,
            AttestationId = attestation.AttestationId,
            AkName = akName,
            TokenHash = AgentTokens.Hash(token),
            Delivery = delivery,
            State = CredentialStates.Active,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = (now + settings.Tokens.Lifetime).ToUnixTimeMilliseconds(),
        };
        var certificate = csr is null ? null : issuer.Issue(nodeId, csr, now);
        var certificateRow = certificate is null ? null : new IssuedCertificateRow
        {
            Serial = certificate.Serial,
            NodeId = nodeId,
            AttestationId = attestation.AttestationId,
            AkName = akName,
            Subject = certificate.Subject,
            Certificate = certificate.Der,
            State = CredentialStates.Active,
            NotBefore = certificate.NotBefore.ToUnixTimeMilliseconds(),
            NotAfter = certificate.NotAfter.ToUnixTimeMilliseconds(),
            CreatedAt = now.ToUnixTimeMilliseconds(),
        };
        if (!await store.InsertAsync(tokenRow, certificateRow, ct))
        {
            throw AlreadyIssued(attestation.AttestationId);
        }

        var wrapped = delivery == CredentialDelivery.Tpm ? Wrap(node, akName, secret) : null;
        var issuedCertificate = certificate is null ? null : new IssuedCertificate(
            certificate.Serial,
            delivery == CredentialDelivery.Plain ? new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", certificate.Der)) : null,
            delivery == CredentialDelivery.Tpm ? SealedCredential.Seal(secret, CredentialDelivery.SealedCertificatePurpose, certificate.Der) : null,
            ca.Certificate.ExportCertificatePem(),
            certificate.NotBefore,
            certificate.NotAfter);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        LogIssued(logger, nodeId, attestation.AttestationId, tokenRow.TokenId, certificate?.Serial ?? "-", delivery);
        return new IssuedCredentials(nodeId, attestation.AttestationId, tokenRow.TokenId,
            delivery == CredentialDelivery.Plain ? token : null, wrapped,
            DateTimeOffset.FromUnixTimeMilliseconds(tokenRow.ExpiresAt), issuedCertificate, csr?.Warnings ?? []);
    }

    /// <summary>The attestation must be this node's, a pass, within the window, and still its latest verdict.</summary>
    private async Task<AttestationRow> FreshPassAsync(string nodeId, string? attestationId, DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(attestationId) || attestationId.Length > 64)
        {
            throw ApiProblemException.BadRequest("request.field_missing", "attestationId (the passing attestation's id) is required");
        }

        var row = await verifierStore.GetAttestationAsync(nodeId, attestationId, ct)
            ?? throw ApiProblemException.NotFound(CredentialErrors.AttestationNotFound, $"node '{nodeId}' has no attestation '{attestationId}'");
        if (row.Verdict != VerdictResults.Pass)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.AttestationNotPassed, $"attestation '{attestationId}' did not pass: credentials are issued only after a pass");
        }

        var age = now - DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt);
        if (age > window)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.AttestationStale,
                $"attestation '{attestationId}' is {age.TotalSeconds:F0} s old; credentials need a pass within {window.TotalSeconds:F0} s: attest again");
        }

        if (await store.LatestAttestationIdAsync(nodeId, ct) != row.AttestationId)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.AttestationSuperseded, $"node '{nodeId}' attested again after '{attestationId}': use the latest attestation");
        }

        return row;
    }

    private async Task<Contracts.Registrar.NodeRecord> NodeAsync(string nodeId, CancellationToken ct)
    {
        Contracts.Registrar.NodeRecord? node;
        try
        {
            // Fresh from the registrar: a cached record could hide a re-enrollment or a revocation.
            registrar.Forget(nodeId);
            node = await registrar.GetNodeAsync(nodeId, ct);
        }
        catch (RegistrarUnavailableException ex)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, SessionErrors.RegistrarUnavailable, ex.Message);
        }

        return node is { State: "enrolled", ActiveAttestationKey: not null }
            ? node
            : throw ApiProblemException.Unprocessable(CredentialErrors.NodeNotEnrolled, $"node '{nodeId}' has no active attestation key at the registrar");
    }

    /// <summary>MakeCredential to the node's EK for its AK's Name: only the TPM that attested can ActivateCredential it.</summary>
    private static WrappedSecret Wrap(Contracts.Registrar.NodeRecord node, string akName, byte[] secret)
    {
        var ek = TpmPublic.ParseSized(node.EkPublic);
        var challenge = MakeCredential.Create(ek, Convert.FromHexString(akName), secret);
        return new WrappedSecret(challenge.CredentialBlob, challenge.EncryptedSecret);
    }

    private static ApiProblemException AlreadyIssued(string attestationId) => ApiProblemException.Conflict(CredentialErrors.AlreadyIssued,
        $"credentials were already issued for attestation '{attestationId}' and are shown only once: attest again for new ones");

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Credentials issued to node {NodeId} on attestation {AttestationId}: token {TokenId}, certificate {Serial}, delivery {Delivery}")]
    private static partial void LogIssued(ILogger logger, string nodeId, string attestationId, string tokenId, string serial, string delivery);
}
