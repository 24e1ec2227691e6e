using Attest.Tpm.Algorithms;
using Attest.Tpm.Client.Transport;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>
/// One entry of a command's authorization area (TPMS_AUTH_COMMAND, TPM 2.0 Part 1 §18.7).
/// This client uses password authorizations and unsalted, unbound policy sessions only; it
/// never computes command HMACs (see docs/decisions/0002-tpm-client.md).
/// </summary>
public abstract class TpmAuthSession
{
    /// <summary>TPMA_SESSION.continueSession: keep the session loaded after the command.</summary>
    internal const byte ContinueSession = 0x01;

    internal abstract void WriteAuthCommand(TpmWriter writer);
}

/// <summary>
/// TPM_RS_PW with a plaintext authValue (Part 1 §19.8.4). The password travels in the clear; on a
/// node talking to its own TPM that is acceptable for the empty or well-known auths used here.
/// </summary>
public sealed class PasswordSession : TpmAuthSession
{
    private readonly byte[] _password;

    public PasswordSession(ReadOnlySpan<byte> password = default) => _password = password.ToArray();

    /// <summary>The empty password: the default auth of hierarchies, EK cert indices and our keys.</summary>
    public static PasswordSession Empty { get; } = new();

    internal override void WriteAuthCommand(TpmWriter writer)
    {
        writer.WriteUInt32(TpmHandles.PasswordSession);
        writer.WriteSized(ReadOnlySpan<byte>.Empty); // nonceCaller: empty for a password (Part 1 §19.8.4)
        writer.WriteUInt8(ContinueSession);          // ignored for TPM_RS_PW but must be a legal value
        writer.WriteSized(_password);
    }
}

/// <summary>
/// A loaded policy session from TPM2_StartAuthSession (unsalted, unbound, no parameter encryption).
/// Its policy is built with the <c>Policy*</c> commands, then it authorizes a command through the
/// object's authPolicy. Disposing flushes it from the TPM.
/// </summary>
public sealed class PolicySession : TpmAuthSession, IAsyncDisposable
{
    private readonly TpmClient _client;
    private bool _flushed;

    internal PolicySession(TpmClient client, uint handle, TpmAlgId hash, byte[] nonceTpm)
    {
        _client = client;
        Handle = handle;
        Hash = hash;
        NonceTpm = nonceTpm;
    }

    public uint Handle { get; }

    /// <summary>The session's authHash: the policy digest is computed with it.</summary>
    public TpmAlgId Hash { get; }

    /// <summary>The latest nonceTPM (needed by PolicySecret/PolicySigned with expiration).</summary>
    public byte[] NonceTpm { get; internal set; }

    internal override void WriteAuthCommand(TpmWriter writer)
    {
        writer.WriteUInt32(Handle);

        // A fresh nonceCaller per use; without HMACs it only has to be a legal size (Part 1 §19.6.5).
        writer.WriteSized(System.Security.Cryptography.RandomNumberGenerator.GetBytes(TpmHash.DigestSize(Hash)));

        // continueSession: this object owns the session's lifetime and flushes it on dispose, so the TPM
        // must not drop it behind our back after a successful command.
        writer.WriteUInt8(ContinueSession);
        writer.WriteSized(ReadOnlySpan<byte>.Empty); // no HMAC: no PolicyAuthValue/PolicyPassword here
    }

    public async ValueTask DisposeAsync()
    {
        if (_flushed)
        {
            return;
        }

        _flushed = true;
        try
        {
            await _client.FlushContextAsync(Handle).ConfigureAwait(false);
        }
        catch (TpmResponseException)
        {
            // Already gone (e.g. a TPM reset): nothing to free.
        }
        catch (TpmTransportException)
        {
            // The connection is gone, and the session with it on a resource-managed TPM.
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed first.
        }
    }
}
