using System.Security.Cryptography;
using System.Text.Json;
using Attest.Contracts.Registrar;
using Attest.Registrar.Storage;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Credentials;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Microsoft.Extensions.Options;

namespace Attest.Registrar.Enrollment;

/// <summary>
/// Flow 1 of ARCHITECTURE.md: check the EK (certificate chain, key match), check the AK's attributes and
/// algorithms, bind the AK to the EK with a MakeCredential challenge, and activate the AK on a valid proof.
/// Every refusal is an <see cref="ApiProblemException"/> with a stable code and changes nothing.
/// </summary>
internal sealed partial class EnrollmentService(
    RegistrarStore store,
    IEkCertificateTrust ekTrust,
    CryptoProfile profile,
    IOptions<RegistrarOptions> options,
    TimeProvider clock,
    ILogger<EnrollmentService> logger)
{
    private const int SecretBytes = 32;

    public async Task<EnrollmentChallenge> EnrollAsync(EnrollmentRequest request, CancellationToken ct)
    {
        var settings = options.Value;
        var nodeId = NodeIds.Validate(request.NodeId);
        var ek = ParsePublic(request.EkPublic, "ekPublic");
        var ak = ParsePublic(request.AkPublic, "akPublic");
        var warnings = new List<string>();

        if (AttestationKeyRules.EndorsementKeyProblem(ek) is { } ekProblem)
        {
            throw ApiProblemException.Unprocessable(EnrollmentErrors.EkInvalid, ekProblem);
        }

        EkCertificateSummary? summary = null;
        if (request.EkCertificate is { Length: > 0 } certificate)
        {
            var decision = ekTrust.Evaluate(certificate, request.EkIntermediates ?? [], ek);
            if (!decision.Trusted)
            {
                throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, EnrollmentErrors.EkCertificateUntrusted,
                    string.Join("; ", decision.Failures.Select(f => f.ToString())),
                    new Dictionary<string, object?> { ["failures"] = decision.Failures });
            }

            summary = decision.Summary;
            warnings.AddRange(decision.Warnings);
        }
        else if (!settings.AllowsEkWithoutCertificate(nodeId))
        {
            throw ApiProblemException.Unprocessable(EnrollmentErrors.EkCertificateMissing,
                $"the EK has no certificate and node '{nodeId}' is not allowed to enroll without one (Registrar:AllowEkWithoutCertificate)");
        }
        else
        {
            warnings.Add("enrolled without an EK certificate: the TPM's origin is not proven");
        }

        var attributeProblems = AttestationKeyRules.AttributeProblems(ak);
        if (attributeProblems.Count > 0)
        {
            throw ApiProblemException.Unprocessable(EnrollmentErrors.AkAttributesInvalid,
                $"the AK is not a restricted signing key fixed to its TPM: {string.Join(", ", attributeProblems)}");
        }

        if (AttestationKeyRules.AlgorithmProblem(ak, profile) is { } refusal)
        {
            throw ApiProblemException.Unprocessable(EnrollmentErrors.AkAlgorithmRefused, $"{refusal} (profile {profile.Name})");
        }

        var now = clock.GetUtcNow();
        var ekName = Convert.ToHexStringLower(ek.Name.Span);
        var existing = await store.GetNodeAsync(nodeId, ct);
        var replaceEk = false;
        if (existing is not null)
        {
            if (existing.State == States.Revoked)
            {
                throw ApiProblemException.Conflict(EnrollmentErrors.NodeRevoked, $"node '{nodeId}' is revoked");
            }

            if (existing.EkName != ekName)
            {
                if (!await store.HasEkReplacementAsync(nodeId, now.ToUnixTimeMilliseconds(), ct))
                {
                    await store.RecordEventAsync(nodeId, "enrollment_refused", "node", $"different EK {ekName} presented without an operator's replacement", now.ToUnixTimeMilliseconds(), ct);
                    LogEkChangeRefused(logger, nodeId, existing.EkName, ekName);
                    throw ApiProblemException.Conflict(EnrollmentErrors.EkChanged,
                        $"node '{nodeId}' is enrolled with another EK; an operator must allow the replacement (POST /v1/nodes/{nodeId}/ek-replacement)");
                }

                replaceEk = true;
            }
        }

        var owner = await store.FindNodeByEkNameAsync(ekName, ct);
        if (owner is not null && owner.NodeId != nodeId)
        {
            throw ApiProblemException.Conflict(EnrollmentErrors.EkInUse, $"this EK is already enrolled as node '{owner.NodeId}'");
        }

        var akName = Convert.ToHexStringLower(ak.Name.Span);
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var challenge = MakeCredential.Create(ek, ak.Name.Span, secret);
        var expiresAt = now + settings.ChallengeLifetime;
        var enrollmentId = Guid.NewGuid().ToString("N");
        var node = new NodeRow
        {
            NodeId = nodeId,
            SystemUuid = request.SystemUuid,
            Serial = request.Serial,
            EkPublic = request.EkPublic,
            EkName = ekName,
            EkCertificate = request.EkCertificate,
            EkSummary = summary is null ? null : JsonSerializer.Serialize(summary),
            State = States.Enrolled,
            EnrolledAt = existing?.EnrolledAt ?? now.ToUnixTimeMilliseconds(),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };
        var akRow = new AttestationKeyRow
        {
            EnrollmentId = enrollmentId,
            NodeId = nodeId,
            AkName = akName,
            AkPublic = request.AkPublic,
            State = States.Pending,
            ChallengeSecret = secret,
            ChallengeExpiresAt = expiresAt.ToUnixTimeMilliseconds(),
            CreatedAt = now.ToUnixTimeMilliseconds(),
        };
        var detail = $"EK {ekName} ({(summary is null ? "no certificate" : summary.Issuer)}), AK {akName} pending activation";
        await store.SaveEnrollmentAsync(node, akRow, isNew: existing is null, replaceEk, detail, ct);
        LogEnrolled(logger, nodeId, ekName, akName, replaceEk);
        return new EnrollmentChallenge(enrollmentId, nodeId, akName, challenge.CredentialBlob, challenge.EncryptedSecret, expiresAt, warnings);
    }

    public async Task<ActivationResult> ActivateAsync(string enrollmentId, ActivationRequest request, CancellationToken ct)
    {
        var ak = await store.GetAttestationKeyAsync(enrollmentId, ct)
            ?? throw ApiProblemException.NotFound(EnrollmentErrors.UnknownEnrollment, $"no enrollment '{enrollmentId}'");
        var now = clock.GetUtcNow();
        if (ak.State != States.Pending || ak.ChallengeSecret is null)
        {
            throw ApiProblemException.Conflict(EnrollmentErrors.AlreadyActivated, $"enrollment '{enrollmentId}' is {ak.State}, not pending");
        }

        if (ak.ChallengeExpiresAt <= now.ToUnixTimeMilliseconds())
        {
            throw ApiProblemException.Unprocessable(EnrollmentErrors.ChallengeExpired, "the credential challenge expired; enroll again");
        }

        if (request.Proof is null || !ActivationProof.Verify(ak.ChallengeSecret, ak.NodeId, ak.AkName, request.Proof))
        {
            await store.RecordEventAsync(ak.NodeId, "activation_refused", "node", $"invalid activation proof for AK {ak.AkName}", now.ToUnixTimeMilliseconds(), ct);
            throw ApiProblemException.Unprocessable(EnrollmentErrors.ActivationProofInvalid,
                "the activation proof is wrong: the TPM that answered does not hold this EK, or the AK is not the one enrolled");
        }

        if (!await store.ActivateAsync(ak, now.ToUnixTimeMilliseconds(), ct))
        {
            throw ApiProblemException.Conflict(EnrollmentErrors.AlreadyActivated, $"enrollment '{enrollmentId}' was activated or expired meanwhile");
        }

        LogActivated(logger, ak.NodeId, ak.AkName);
        return new ActivationResult(ak.NodeId, ak.AkName, States.Active, now);
    }

    private static TpmPublic ParsePublic(byte[]? bytes, string field)
    {
        if (bytes is not { Length: > 0 })
        {
            throw ApiProblemException.BadRequest("request.field_missing", $"{field} is required (base64 TPM2B_PUBLIC)");
        }

        try
        {
            return TpmPublic.ParseSized(bytes);
        }
        catch (Attest.Tpm.Wire.TpmFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "request.malformed_tpm_structure", $"{field}: {ex.Message}",
                new Dictionary<string, object?> { ["field"] = field, ["structure"] = ex.Field, ["offset"] = ex.Offset });
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Enrolled node {NodeId}: EK {EkName}, AK {AkName} pending (EK replaced: {Replaced})")]
    private static partial void LogEnrolled(ILogger logger, string nodeId, string ekName, string akName, bool replaced);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Activated AK {AkName} of node {NodeId}")]
    private static partial void LogActivated(ILogger logger, string nodeId, string akName);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Refused enrollment of node {NodeId}: EK changed from {OldEk} to {NewEk} without an operator's replacement")]
    private static partial void LogEkChangeRefused(ILogger logger, string nodeId, string oldEk, string newEk);
}
