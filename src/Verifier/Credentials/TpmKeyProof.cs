using System.Text;
using Attest.Contracts.Registrar;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Attestation;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Signatures;
using Attest.Tpm.Wire;

namespace Attest.Verifier.Credentials;

/// <summary>
/// The optional proof that a CSR's key lives in the node's TPM: TPM2_Certify by the AK (Part 3 §18.2) over the key's
/// Name, with the redeemed attestation id as qualifying data (fresh, and not replayable for another redemption),
/// attributes fixedTPM, fixedParent and sensitiveDataOrigin, and the same public key as the CSR.
/// </summary>
internal static class TpmKeyProof
{
    private const ObjectAttributes Resident = ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent | ObjectAttributes.SensitiveDataOrigin | ObjectAttributes.Sign;

    public static void Check(ValidatedCsr csr, KeyCertification? proof, AttestationKeyRecord ak, string attestationId, bool required, CryptoProfile profile)
    {
        if (proof is null)
        {
            if (required)
            {
                throw ApiProblemException.Unprocessable(CredentialErrors.TpmKeyRequired,
                    "this verifier certifies only TPM keys: send the key's public area and its TPM2_Certify by the AK (attest-hook request-credentials --tpm-key)");
            }

            return;
        }

        TpmPublic key;
        try
        {
            key = TpmPublic.ParseSized(proof.Public);
        }
        catch (TpmFormatException ex)
        {
            throw ApiProblemException.BadRequest(CredentialErrors.TpmKeyInvalid, $"tpmKey.public is not a TPM2B_PUBLIC: {ex.Message}");
        }

        if (!key.Has(Resident) || key.Has(ObjectAttributes.Decrypt))
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.TpmKeyInvalid, "the TPM key must be a signing key with fixedTPM, fixedParent and sensitiveDataOrigin");
        }

        if (!SubjectPublicKeyInfo.Parse(csr.PublicKey.ExportSubjectPublicKeyInfo()).Matches(key))
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.TpmKeyInvalid, "the CSR's key is not the certified TPM key");
        }

        using var signer = VerificationKey.FromTpmPublic(TpmPublic.ParseSized(ak.Public));
        var result = CertifyVerifier.VerifyCertify(signer, proof.Attest, proof.Signature, key, Encoding.ASCII.GetBytes(attestationId), profile);
        if (!result.Passed)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, CredentialErrors.TpmKeyNotCertified,
                "the node's AK did not certify this key for this attestation: " + string.Join(", ", result.Failures.Select(f => f.Code)),
                new Dictionary<string, object?> { ["failures"] = result.Failures.Select(f => f.Code).ToArray() });
        }
    }
}
