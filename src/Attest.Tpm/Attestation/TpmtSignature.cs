using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Attestation;

/// <summary>
/// TPMT_SIGNATURE (TPM 2.0 Part 2 §11.3.4): RSA schemes carry one value in <see cref="Signature"/>; ECC schemes
/// carry <see cref="R"/> and <see cref="S"/>; HMAC carries the digest in <see cref="Signature"/>.
/// </summary>
public sealed record TpmtSignature
{
    private const int MaxRsaBytes = 512;
    private const int MaxEccBytes = 128;

    public required TpmAlgId SigAlg { get; init; }

    public required TpmAlgId HashAlg { get; init; }

    public ReadOnlyMemory<byte> Signature { get; init; }

    public ReadOnlyMemory<byte> R { get; init; }

    public ReadOnlyMemory<byte> S { get; init; }

    public static TpmtSignature Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new TpmReader(bytes);
        var result = Read(ref reader);
        reader.ExpectEnd("TPMT_SIGNATURE");
        return result;
    }

    public static TpmtSignature Read(ref TpmReader reader)
    {
        var algOffset = reader.Offset;
        var sigAlg = (TpmAlgId)reader.ReadUInt16("TPMT_SIGNATURE.sigAlg");
        switch (sigAlg)
        {
            case TpmAlgId.Null:
                return new TpmtSignature { SigAlg = sigAlg, HashAlg = TpmAlgId.Null };
            case TpmAlgId.RsaSsa:
            case TpmAlgId.RsaPss:
            {
                var hash = (TpmAlgId)reader.ReadUInt16("TPMS_SIGNATURE_RSA.hash");
                var sig = reader.ReadSized("TPMS_SIGNATURE_RSA.sig", MaxRsaBytes).ToArray();
                return new TpmtSignature { SigAlg = sigAlg, HashAlg = hash, Signature = sig };
            }

            case TpmAlgId.Ecdsa:
            case TpmAlgId.Ecdaa:
            case TpmAlgId.Sm2:
            case TpmAlgId.EcSchnorr:
            {
                var hash = (TpmAlgId)reader.ReadUInt16("TPMS_SIGNATURE_ECC.hash");
                var r = reader.ReadSized("TPMS_SIGNATURE_ECC.signatureR", MaxEccBytes).ToArray();
                var s = reader.ReadSized("TPMS_SIGNATURE_ECC.signatureS", MaxEccBytes).ToArray();
                return new TpmtSignature { SigAlg = sigAlg, HashAlg = hash, R = r, S = s };
            }

            case TpmAlgId.Hmac:
            {
                var hashOffset = reader.Offset;
                var hash = (TpmAlgId)reader.ReadUInt16("TPMT_HA.hashAlg");
                var size = TpmHash.DigestSize(hash);
                if (size == 0)
                {
                    throw new TpmFormatException("TPMT_HA.hashAlg", hashOffset, $"unknown hash algorithm {hash.Name()}");
                }

                var digest = reader.ReadBytes(size, "TPMT_HA.digest").ToArray();
                return new TpmtSignature { SigAlg = sigAlg, HashAlg = hash, Signature = digest };
            }

            default:
                throw new TpmFormatException("TPMT_SIGNATURE.sigAlg", algOffset, $"unknown signature algorithm {sigAlg.Name()}");
        }
    }

    public byte[] Marshal()
    {
        var writer = new TpmWriter();
        writer.WriteUInt16((ushort)SigAlg);
        switch (SigAlg)
        {
            case TpmAlgId.Null:
                break;
            case TpmAlgId.RsaSsa:
            case TpmAlgId.RsaPss:
                writer.WriteUInt16((ushort)HashAlg).WriteSized(Signature.Span);
                break;
            case TpmAlgId.Hmac:
                writer.WriteUInt16((ushort)HashAlg).WriteBytes(Signature.Span);
                break;
            default:
                writer.WriteUInt16((ushort)HashAlg).WriteSized(R.Span).WriteSized(S.Span);
                break;
        }

        return writer.ToArray();
    }
}
