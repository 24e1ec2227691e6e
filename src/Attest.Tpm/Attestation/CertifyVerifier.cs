using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Signatures;
using Attest.Tpm.Verification;

namespace Attest.Tpm.Attestation;

/// <summary>
/// Verifies that a key was certified by a signing key: TPM2_Certify (codes <c>certify.*</c>) and TPM2_CertifyCreation
/// (codes <c>creation.*</c>), TPM 2.0 Part 3 §18.2 and §18.3.
/// </summary>
public static class CertifyVerifier
{
    /// <summary>TPM2_Certify: the certified object's Name is the one in the attestation.</summary>
    public static VerificationResult VerifyCertify(
        VerificationKey signer,
        ReadOnlySpan<byte> attestBytes,
        ReadOnlySpan<byte> signatureBytes,
        TpmPublic certifiedObject,
        ReadOnlyMemory<byte>? nonce,
        CryptoProfile profile)
    {
        ArgumentNullException.ThrowIfNull(certifiedObject);
        var result = new VerificationResult();
        var attest = AttestationVerifier.VerifyCommon(signer, attestBytes, signatureBytes, AttestType.Certify, nonce, profile, result, "certify", out _);
        if (attest?.Attested is CertifyInfo info && !info.Name.Span.SequenceEqual(certifiedObject.Name.Span))
        {
            result.Fail("certify.name_mismatch", "the certified Name is not the Name of the given public area",
                expected: Convert.ToHexStringLower(certifiedObject.Name.Span), actual: Convert.ToHexStringLower(info.Name.Span));
        }

        return result;
    }

    /// <summary>
    /// TPM2_CertifyCreation: the object's Name matches and creationHash = H_nameAlg(TPMS_CREATION_DATA) of the
    /// creation data the node presents (which tells where and under which PCR state the key was created).
    /// </summary>
    public static VerificationResult VerifyCreation(
        VerificationKey signer,
        ReadOnlySpan<byte> attestBytes,
        ReadOnlySpan<byte> signatureBytes,
        TpmPublic createdObject,
        ReadOnlySpan<byte> creationData,
        ReadOnlyMemory<byte>? nonce,
        CryptoProfile profile)
    {
        ArgumentNullException.ThrowIfNull(createdObject);
        var result = new VerificationResult();
        var attest = AttestationVerifier.VerifyCommon(signer, attestBytes, signatureBytes, AttestType.Creation, nonce, profile, result, "creation", out _);
        if (attest?.Attested is not CreationInfo info)
        {
            return result;
        }

        if (!info.ObjectName.Span.SequenceEqual(createdObject.Name.Span))
        {
            result.Fail("creation.name_mismatch", "the attested object Name is not the Name of the given public area",
                expected: Convert.ToHexStringLower(createdObject.Name.Span), actual: Convert.ToHexStringLower(info.ObjectName.Span));
        }

        var hash = TpmHash.Compute(createdObject.NameAlg, creationData);
        if (!CryptographicOperations.FixedTimeEquals(hash, info.CreationHash.Span))
        {
            result.Fail("creation.hash_mismatch", "the creation data is not the data the TPM attested",
                expected: Convert.ToHexStringLower(info.CreationHash.Span), actual: Convert.ToHexStringLower(hash));
        }

        return result;
    }
}
