using Attest.Tpm.Attestation;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>TPM2_Sign, for unrestricted signing keys (an agent's TPM-resident TLS key signing its CSR).</summary>
public sealed partial class TpmClient
{
    private const ushort TagHashCheck = 0x8024; // TPM_ST_HASHCHECK (Part 2 §6.9)

    /// <summary>
    /// TPM2_Sign (Part 3 §20.2) of a digest with the key's own scheme. The validation ticket is the NULL ticket:
    /// only restricted keys need proof that the TPM hashed the data itself.
    /// </summary>
    public async Task<TpmtSignature> SignAsync(uint keyHandle, ReadOnlyMemory<byte> digest, TpmAuthSession? keyAuth = null, CancellationToken cancellationToken = default)
    {
        var writer = new TpmWriter();
        writer.WriteSized(digest.Span);
        writer.WriteUInt16((ushort)Algorithms.TpmAlgId.Null); // inScheme: the key's scheme
        writer.WriteUInt16(TagHashCheck);
        writer.WriteUInt32(TpmHandles.Null);
        writer.WriteSized([]);
        var response = await ExecuteAsync(TpmCc.Sign, new[] { keyHandle }, Auth(keyAuth), writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var signature = TpmtSignature.Read(ref reader);
        reader.ExpectEnd("TPM2_Sign response");
        return signature;
    }
}
