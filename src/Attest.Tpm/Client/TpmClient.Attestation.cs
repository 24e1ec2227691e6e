using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>Quote, Certify and CertifyCreation: TPM-signed TPMS_ATTEST structures.</summary>
public sealed partial class TpmClient
{
    /// <summary>
    /// TPM2_Quote (Part 3 §18.4): the AK signs the digest of the selected PCRs with
    /// <paramref name="qualifyingData"/> (the verifier's nonce). A NULL <paramref name="scheme"/>
    /// uses the AK's own scheme, which a restricted key must have anyway.
    /// </summary>
    public async Task<TpmAttestation> QuoteAsync(uint akHandle, ReadOnlyMemory<byte> qualifyingData, PcrSelection pcrs, TpmAlgId scheme = TpmAlgId.Null, TpmAlgId schemeHash = TpmAlgId.Null, TpmAuthSession? akAuth = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pcrs);
        var writer = new TpmWriter();
        writer.WriteSized(qualifyingData.Span);
        WriteSignatureScheme(writer, scheme, schemeHash);
        pcrs.Write(writer);
        var response = await ExecuteAsync(TpmCc.Quote, new[] { akHandle }, Auth(akAuth), writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        return ReadAttestation(TpmCc.Quote, response.Parameters);
    }

    /// <summary>TPM2_Certify (Part 3 §18.2): <paramref name="signHandle"/> vouches that <paramref name="objectHandle"/> is loaded in this TPM.</summary>
    public async Task<TpmAttestation> CertifyAsync(uint objectHandle, uint signHandle, ReadOnlyMemory<byte> qualifyingData, TpmAuthSession? objectAuth = null, TpmAuthSession? signAuth = null, CancellationToken cancellationToken = default)
    {
        var writer = new TpmWriter();
        writer.WriteSized(qualifyingData.Span);
        WriteSignatureScheme(writer, TpmAlgId.Null, TpmAlgId.Null);
        var sessions = new[] { objectAuth ?? PasswordSession.Empty, signAuth ?? PasswordSession.Empty };
        var response = await ExecuteAsync(TpmCc.Certify, new[] { objectHandle, signHandle }, sessions, writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        return ReadAttestation(TpmCc.Certify, response.Parameters);
    }

    /// <summary>
    /// TPM2_CertifyCreation (Part 3 §18.3): <paramref name="signHandle"/> attests that <paramref name="objectHandle"/>
    /// was created by this TPM with the given creation hash (the ticket proves it). Signing with the
    /// object itself gives an AK's self-certified creation proof.
    /// </summary>
    public async Task<TpmAttestation> CertifyCreationAsync(uint signHandle, uint objectHandle, ReadOnlyMemory<byte> qualifyingData, ReadOnlyMemory<byte> creationHash, ReadOnlyMemory<byte> creationTicket, TpmAuthSession? signAuth = null, CancellationToken cancellationToken = default)
    {
        var writer = new TpmWriter();
        writer.WriteSized(qualifyingData.Span);
        writer.WriteSized(creationHash.Span);
        WriteSignatureScheme(writer, TpmAlgId.Null, TpmAlgId.Null);
        writer.WriteBytes(creationTicket.Span);
        var response = await ExecuteAsync(TpmCc.CertifyCreation, new[] { signHandle, objectHandle }, Auth(signAuth), writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        return ReadAttestation(TpmCc.CertifyCreation, response.Parameters);
    }

    /// <summary>TPMT_SIG_SCHEME (Part 2 §11.2.1.5).</summary>
    private static void WriteSignatureScheme(TpmWriter writer, TpmAlgId scheme, TpmAlgId hash)
    {
        writer.WriteUInt16((ushort)scheme);
        if (scheme != TpmAlgId.Null)
        {
            writer.WriteUInt16((ushort)hash);
        }
    }

    /// <summary>TPM2B_ATTEST then TPMT_SIGNATURE, each kept as received (the verifier checks the bytes it got).</summary>
    private static TpmAttestation ReadAttestation(TpmCc command, byte[] parameters)
    {
        var name = command.Name();
        var reader = new TpmReader(parameters);
        var attest = reader.ReadSized($"{name} TPM2B_ATTEST", MaxBlob).ToArray();
        var start = reader.Position;
        SkipSignature(ref reader, $"{name} TPMT_SIGNATURE");
        var signature = reader.Consumed(start).ToArray();
        reader.ExpectEnd($"{name} response");
        return new TpmAttestation(attest, signature);
    }

    /// <summary>Walks a TPMT_SIGNATURE (Part 2 §11.3.4) to find where it ends; the verifier parses it for real.</summary>
    private static void SkipSignature(ref TpmReader reader, string field)
    {
        var alg = (TpmAlgId)reader.ReadUInt16(field + ".sigAlg");
        switch (alg)
        {
            case TpmAlgId.Null:
                return;
            case TpmAlgId.RsaSsa or TpmAlgId.RsaPss:
                _ = reader.ReadUInt16(field + ".hash");
                _ = reader.ReadSized(field + ".sig", 512);
                return;
            case TpmAlgId.Ecdsa or TpmAlgId.Ecdaa or TpmAlgId.Sm2 or TpmAlgId.EcSchnorr:
                _ = reader.ReadUInt16(field + ".hash");
                _ = reader.ReadSized(field + ".signatureR", 128);
                _ = reader.ReadSized(field + ".signatureS", 128);
                return;
            case TpmAlgId.Hmac:
                var hash = (TpmAlgId)reader.ReadUInt16(field + ".hashAlg");
                var size = TpmHash.DigestSize(hash);
                if (size == 0)
                {
                    throw reader.Fail(field + ".hashAlg", $"unknown hash {hash.Name()}");
                }

                reader.Skip(size, field + ".digest");
                return;
            default:
                throw reader.Fail(field + ".sigAlg", $"unsupported signature algorithm {alg.Name()}");
        }
    }
}

/// <summary>TPMS_ATTEST bytes (what was signed) and the TPMT_SIGNATURE bytes, as <c>tpm2_quote -m/-s</c> write them.</summary>
public sealed record TpmAttestation(byte[] Attest, byte[] Signature);
