using Attest.Contracts.Registrar;
using Attest.Hooks.Services;
using Attest.Tpm.Credentials;

namespace Attest.Hooks.Node;

/// <summary>
/// Flow 1 on the node: present the EK (and its certificate) and a fresh AK; recover the registrar's secret with
/// TPM2_ActivateCredential (possible only in the TPM holding both keys) and prove it back.
/// </summary>
public static class NodeEnrollment
{
    public sealed record Options(string NodeId, string StateDirectory, string AkAlgorithm = "ecc", string? SystemUuid = null, string? Serial = null);

    public static async Task<ActivationResult> EnrollAsync(TpmNode tpm, ServiceClient registrar, Options options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(registrar);
        ArgumentNullException.ThrowIfNull(options);
        var ek = await tpm.GetEndorsementKeyAsync(ct);
        try
        {
            var state = NodeState.Load(options.StateDirectory);
            if (state is null || state.NodeId != options.NodeId)
            {
                var (akPublic, akPrivate) = await tpm.CreateAttestationKeyAsync(options.AkAlgorithm, ct);
                state = new NodeState(options.NodeId, akPublic.MarshalSized(), akPrivate, Convert.ToHexStringLower(akPublic.Name.Span), null, false);
                state.Save(options.StateDirectory);
            }

            var challenge = await registrar.PostAsync<EnrollmentChallenge>("v1/enrollments", new EnrollmentRequest(
                options.NodeId, ek.Public.MarshalSized(), ek.Certificate, state.AkPublic, options.SystemUuid, options.Serial), ct);
            state = state with { EnrollmentId = challenge.EnrollmentId, Activated = false };
            state.Save(options.StateDirectory);

            var ak = await tpm.LoadAttestationKeyAsync(state, ct);
            byte[] secret;
            try
            {
                secret = await tpm.ActivateCredentialAsync(ak, ek, new CredentialChallenge(challenge.CredentialBlob, challenge.EncryptedSecret), ct);
            }
            finally
            {
                await tpm.FlushAsync(ak);
            }

            var proof = ActivationProof.Compute(secret, options.NodeId, challenge.AkName);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
            var result = await registrar.PostAsync<ActivationResult>($"v1/enrollments/{challenge.EnrollmentId}/activation", new ActivationRequest(proof), ct);
            (state with { Activated = true }).Save(options.StateDirectory);
            return result;
        }
        finally
        {
            if (ek.Transient)
            {
                await tpm.FlushAsync(ek.Handle);
            }
        }
    }
}
