using Attest.Tpm.Algorithms;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>Policy sessions, the EK's policy, and TPM2_ActivateCredential.</summary>
public sealed partial class TpmClient
{
    private const byte SessionTypePolicy = 0x01; // TPM_SE_POLICY (Part 2 §6.11)

    /// <summary>
    /// TPM2_StartAuthSession (Part 3 §11.1) for a policy session: tpmKey and bind TPM_RH_NULL
    /// (unsalted, unbound), no parameter encryption. Dispose the result to flush it.
    /// </summary>
    public async Task<PolicySession> StartPolicySessionAsync(TpmAlgId hash = TpmAlgId.Sha256, CancellationToken cancellationToken = default)
    {
        var digestSize = TpmHash.DigestSize(hash);
        if (digestSize == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hash), hash, "not a hash algorithm");
        }

        var writer = new TpmWriter();

        // nonceCaller: at least 16 bytes and at most the digest size (Part 3 §11.1.1); the full size is customary.
        writer.WriteSized(System.Security.Cryptography.RandomNumberGenerator.GetBytes(digestSize));
        writer.WriteSized([]);                          // encryptedSalt: none (tpmKey is NULL)
        writer.WriteUInt8(SessionTypePolicy);
        writer.WriteUInt16((ushort)TpmAlgId.Null);      // symmetric: TPMT_SYM_DEF with TPM_ALG_NULL
        writer.WriteUInt16((ushort)hash);               // authHash
        var response = await ExecuteAsync(TpmCc.StartAuthSession, new[] { TpmHandles.Null, TpmHandles.Null }, null, writer.ToArray(), 1, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var nonceTpm = reader.ReadSized("TPM2_StartAuthSession nonceTPM", 64).ToArray();
        reader.ExpectEnd("TPM2_StartAuthSession response");
        return new PolicySession(this, response.Handles[0], hash, nonceTpm);
    }

    /// <summary>
    /// TPM2_PolicySecret (Part 3 §23.4): proves knowledge of <paramref name="authEntity"/>'s auth
    /// (TPM_RH_ENDORSEMENT for the EK policy) into <paramref name="session"/>. No expiration, no cpHash, no policyRef.
    /// </summary>
    public async Task PolicySecretAsync(PolicySession session, uint authEntity = TpmHandles.Endorsement, TpmAuthSession? entityAuth = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var writer = new TpmWriter();
        writer.WriteSized([]); // nonceTPM: only needed with an expiration
        writer.WriteSized([]); // cpHashA
        writer.WriteSized([]); // policyRef
        writer.WriteUInt32(0); // expiration: none
        var response = await ExecuteAsync(TpmCc.PolicySecret, new[] { authEntity, session.Handle }, Auth(entityAuth), writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        _ = reader.ReadSized("TPM2_PolicySecret timeout", 64);
        _ = reader.ReadUInt16("TPM2_PolicySecret policyTicket.tag");
        _ = reader.ReadUInt32("TPM2_PolicySecret policyTicket.hierarchy");
        _ = reader.ReadSized("TPM2_PolicySecret policyTicket.digest", 64);
        reader.ExpectEnd("TPM2_PolicySecret response");
    }

    /// <summary>TPM2_PolicyOR (Part 3 §23.6): 2 to 8 branch digests, one of which must equal the session's current digest.</summary>
    public async Task PolicyOrAsync(PolicySession session, IReadOnlyList<byte[]> branches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(branches);
        var writer = new TpmWriter();
        writer.WriteUInt32((uint)branches.Count);
        foreach (var branch in branches)
        {
            writer.WriteSized(branch);
        }

        await ExecuteAsync(TpmCc.PolicyOr, new[] { session.Handle }, null, writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>TPM2_PolicyGetDigest (Part 3 §23.19): the session's current policy digest.</summary>
    public async Task<byte[]> PolicyGetDigestAsync(PolicySession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var response = await ExecuteAsync(TpmCc.PolicyGetDigest, new[] { session.Handle }, null, default, 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var digest = reader.ReadSized("TPM2_PolicyGetDigest policyDigest", 64).ToArray();
        reader.ExpectEnd("TPM2_PolicyGetDigest response");
        return digest;
    }

    /// <summary>
    /// Starts a policy session that satisfies a TCG EK's authPolicy: PolicySecret(TPM_RH_ENDORSEMENT),
    /// followed by PolicyOR(PolicyA, PolicyC) when the EK is a high-range one (PolicyB).
    /// </summary>
    public async Task<PolicySession> StartEkPolicySessionAsync(TpmPublic ek, TpmAuthSession? endorsementAuth = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ek);
        var nameAlg = ek.NameAlg;
        var authPolicy = ek.AuthPolicy.Span.ToArray();
        var session = await StartPolicySessionAsync(nameAlg, cancellationToken).ConfigureAwait(false);
        try
        {
            await PolicySecretAsync(session, TpmHandles.Endorsement, endorsementAuth, cancellationToken).ConfigureAwait(false);
            var branches = EkPolicies.PolicyBBranches(nameAlg, authPolicy);
            if (branches is not null)
            {
                await PolicyOrAsync(session, branches, cancellationToken).ConfigureAwait(false);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// TPM2_ActivateCredential (Part 3 §12.5): the EK (<paramref name="keyHandle"/>) unwraps the seed
    /// and releases the secret only if <paramref name="activateHandle"/>'s Name is the one the
    /// credential was made for (<see cref="MakeCredential"/> or <c>tpm2_makecredential</c> makes the challenge).
    /// </summary>
    public async Task<byte[]> ActivateCredentialAsync(uint activateHandle, uint keyHandle, CredentialChallenge challenge, TpmAuthSession activateAuth, TpmAuthSession keyAuth, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(activateAuth);
        ArgumentNullException.ThrowIfNull(keyAuth);
        var writer = new TpmWriter();

        // The challenge holds TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET already marshaled with their sizes;
        // check them so a malformed challenge is refused here rather than as a TPM_RC_SIZE.
        var blobReader = new TpmReader(challenge.CredentialBlob);
        _ = blobReader.ReadSized("TPM2B_ID_OBJECT", 1024);
        blobReader.ExpectEnd("TPM2B_ID_OBJECT");
        var secretReader = new TpmReader(challenge.EncryptedSecret);
        _ = secretReader.ReadSized("TPM2B_ENCRYPTED_SECRET", 1024);
        secretReader.ExpectEnd("TPM2B_ENCRYPTED_SECRET");
        writer.WriteBytes(challenge.CredentialBlob);
        writer.WriteBytes(challenge.EncryptedSecret);
        var response = await ExecuteAsync(TpmCc.ActivateCredential, new[] { activateHandle, keyHandle }, [activateAuth, keyAuth], writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var certInfo = reader.ReadSized("TPM2_ActivateCredential certInfo", 64).ToArray();
        reader.ExpectEnd("TPM2_ActivateCredential response");
        return certInfo;
    }

    /// <summary>
    /// ActivateCredential with the AK (empty password, USER role) and the EK (its TCG policy, ADMIN
    /// role): the whole node side of enrollment's proof of residency.
    /// </summary>
    public async Task<byte[]> ActivateCredentialWithEkAsync(uint akHandle, uint ekHandle, CredentialChallenge challenge, CancellationToken cancellationToken = default)
    {
        var ek = await ReadPublicAsync(ekHandle, cancellationToken).ConfigureAwait(false);
        var session = await StartEkPolicySessionAsync(ek.Public, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await ActivateCredentialAsync(akHandle, ekHandle, challenge, PasswordSession.Empty, session, cancellationToken).ConfigureAwait(false);
        }
    }
}
