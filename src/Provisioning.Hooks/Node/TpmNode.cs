using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;

namespace Attest.Hooks.Node;

/// <summary>The node's TPM, as the hooks use it: find the EK and its certificate, make and load the AK, activate, quote.</summary>
public sealed class TpmNode(TpmClient tpm) : IAsyncDisposable
{
    /// <summary>The EK the node enrolls with: a persistent one provisioned by the maker/platform, else one made from the TCG default template.</summary>
    public sealed record Endorsement(uint Handle, bool Transient, TpmPublic Public, byte[]? Certificate);

    public async Task<Endorsement> GetEndorsementKeyAsync(CancellationToken ct)
    {
        // TCG EK Credential Profile §2.2.1.4: persistent EK handles; certificates at the low-range NV indices.
        foreach (var (handle, certIndex) in new[] { (TpmHandles.EkPersistentRsa2048, TpmHandles.EkCertificateRsa2048), (TpmHandles.EkPersistentEccP384, TpmHandles.EkCertificateEccP384) })
        {
            try
            {
                var existing = await tpm.ReadPublicAsync(handle, ct);
                return new Endorsement(handle, false, existing.Public, await tpm.ReadEkCertificateAsync(certIndex, ct));
            }
            catch (TpmResponseException)
            {
                // Not provisioned at this handle: try the next.
            }
        }

        var created = await tpm.CreatePrimaryAsync(TpmHandles.Endorsement, KeyTemplates.EkRsa2048(), cancellationToken: ct);
        return new Endorsement(created.Handle, true, created.Public, await tpm.ReadEkCertificateAsync(TpmHandles.EkCertificateRsa2048, ct));
    }

    /// <summary>Creates an AK (restricted ECDSA P-256/SHA-256 by default: fast to make and to quote with) under the ECC SRK.</summary>
    public async Task<(TpmPublic Public, byte[] Private)> CreateAttestationKeyAsync(string algorithm, CancellationToken ct)
    {
        var template = algorithm switch
        {
            "rsa" => KeyTemplates.AkRsa2048(),
            "ecc384" => KeyTemplates.AkEcc(TpmEccCurve.NistP384),
            _ => KeyTemplates.AkEcc(TpmEccCurve.NistP256),
        };
        var ak = await tpm.CreateAttestationKeyAsync(template, KeyTemplates.SrkEccP256(), ct);
        await tpm.FlushContextAsync(ak.Handle, ct);
        return (ak.Public, ak.Created.PrivateBlob);
    }

    /// <summary>Loads the saved AK under the (re-derived) SRK; the caller flushes the returned handle.</summary>
    public async Task<uint> LoadAttestationKeyAsync(NodeState state, CancellationToken ct)
    {
        var srk = await tpm.CreatePrimaryAsync(TpmHandles.Owner, KeyTemplates.SrkEccP256(), cancellationToken: ct);
        try
        {
            var loaded = await tpm.LoadAsync(srk.Handle, state.AkPrivate, TpmPublic.ParseSized(state.AkPublic), cancellationToken: ct);
            return loaded.Handle;
        }
        finally
        {
            await tpm.FlushContextAsync(srk.Handle, CancellationToken.None);
        }
    }

    public Task<byte[]> ActivateCredentialAsync(uint akHandle, Endorsement ek, CredentialChallenge challenge, CancellationToken ct) =>
        tpm.ActivateCredentialWithEkAsync(akHandle, ek.Handle, challenge, ct);

    public async Task<(byte[] Attest, byte[] Signature, PcrValues Values)> QuoteAsync(uint akHandle, byte[] nonce, PcrSelection selection, CancellationToken ct)
    {
        var quote = await tpm.QuoteAsync(akHandle, nonce, selection, cancellationToken: ct);
        var pcrs = await tpm.PcrReadAsync(selection, ct);
        return (quote.Attest, quote.Signature, pcrs.Values);
    }

    /// <summary>A TLS key in this TPM, certified by the AK, with a CSR it signed itself.</summary>
    public Task<TpmTlsKey> CreateTlsKeyAsync(NodeState state, string subject, byte[] qualifyingData, CancellationToken ct) =>
        TpmTlsKey.CreateAsync(tpm, state, subject, qualifyingData, ct);

    public Task FlushAsync(uint handle) => tpm.FlushContextAsync(handle, CancellationToken.None);

    public ValueTask DisposeAsync() => tpm.DisposeAsync();
}
