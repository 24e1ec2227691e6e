using System.Globalization;
using System.Security.Cryptography;
using Attest.Contracts.Registrar;
using Attest.Contracts.Verifier;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.Support;

namespace Attest.LoadTest;

/// <summary>
/// A simulated node: a software EK (ECC P-256, answering MakeCredential for real) and a software ECC P-256 AK,
/// booted with the recorded boot, so its quotes cover exactly the PCR values that boot's event log replays to.
/// </summary>
internal sealed class SoftwareNode : IDisposable
{
    private readonly ECDiffieHellman _ek;
    private readonly TpmPublic _ekPublic;
    private readonly SoftwareAttestationKey _ak = SoftwareAttestationKey.CreateEcc();
    private readonly RecordedBoot _boot;

    public SoftwareNode(string nodeId, RecordedBoot boot)
    {
        NodeId = nodeId;
        _boot = boot;
        (_ek, _ekPublic) = SoftwareEndorsementKey.Ecc();
    }

    public string NodeId { get; }

    /// <summary>Flow 1 through the registrar's API: enroll, recover the secret with the EK, prove it back.</summary>
    public async Task EnrollAsync(ApiClient registrar, CancellationToken ct)
    {
        var challenge = await registrar.PostAsync<EnrollmentRequest, EnrollmentChallenge>("v1/enrollments",
            new EnrollmentRequest(NodeId, _ekPublic.MarshalSized(), null, _ak.Public.MarshalSized(), Guid.NewGuid().ToString(), "LOAD-" + NodeId), ct);
        var secret = SoftwareActivateCredential.Activate(_ek, _ekPublic, _ak.Public.Name.Span, new CredentialChallenge(challenge.CredentialBlob, challenge.EncryptedSecret));
        var proof = ActivationProof.Compute(secret, NodeId, challenge.AkName);
        await registrar.PostAsync<ActivationRequest, ActivationResult>($"v1/enrollments/{challenge.EnrollmentId}/activation", new ActivationRequest(proof), ct);
    }

    /// <summary>What the node sends for <paramref name="session"/>: a fresh quote over its nonce, the PCR values, the boot's event log.</summary>
    public EvidenceSubmission Quote(AttestationSession session)
    {
        var selection = new PcrSelection(session.Pcrs.Select(b => TpmAlgNames.TryParseHash(b.Key, out var hash)
            ? new PcrBankSelection(hash, b.Value)
            : throw new InvalidOperationException($"the verifier asked for bank '{b.Key}' the recorded boot lacks")));
        var (attest, signature) = _ak.Quote(session.Nonce, selection, _boot.Values);
        var pcrs = session.Pcrs.ToDictionary(b => b.Key, b => (IReadOnlyDictionary<string, string>)b.Value.ToDictionary(
            i => i.ToString(CultureInfo.InvariantCulture), i => _boot.Hex(i)));
        return new EvidenceSubmission(attest, signature, pcrs, _boot.EventLog);
    }

    public void Dispose()
    {
        _ek.Dispose();
        _ak.Dispose();
    }
}
