using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;

namespace Attest.Registrar.Enrollment;

/// <summary>
/// What makes a key an attestation key (TCG "AK" / TPM 2.0 Part 1 §25): a restricted signing key that never left
/// its TPM and was generated there, usable without a policy, and never a decryption key.
/// </summary>
internal static class AttestationKeyRules
{
    private static readonly (ObjectAttributes Attribute, bool Required, string Name)[] Rules =
    [
        (ObjectAttributes.Restricted, true, "restricted"),
        (ObjectAttributes.Sign, true, "sign"),
        (ObjectAttributes.FixedTpm, true, "fixedTPM"),
        (ObjectAttributes.FixedParent, true, "fixedParent"),
        (ObjectAttributes.SensitiveDataOrigin, true, "sensitiveDataOrigin"),
        (ObjectAttributes.UserWithAuth, true, "userWithAuth"),
        (ObjectAttributes.Decrypt, false, "decrypt"),
    ];

    /// <summary>The attribute problems, e.g. "missing restricted", "has decrypt"; empty when the key qualifies.</summary>
    public static IReadOnlyList<string> AttributeProblems(TpmPublic ak) =>
        Rules.Where(rule => ak.Has(rule.Attribute) != rule.Required)
            .Select(rule => rule.Required ? $"missing {rule.Name}" : $"has {rule.Name}")
            .ToArray();

    /// <summary>The algorithm refusal for the AK under the profile, or null.</summary>
    public static AlgorithmRefusal? AlgorithmProblem(TpmPublic ak, CryptoProfile profile)
    {
        var (scheme, keyRefusal) = ak.Parameters switch
        {
            RsaParameters rsa => (rsa.Scheme, profile.CheckRsaVerificationKey(ak.KeyBits)),
            EccParameters ecc => (ecc.Scheme, profile.CheckCurve(ecc.Curve)),
            _ => (Scheme.Null, new AlgorithmRefusal(ak.Type.Name(), "an attestation key must be an RSA or ECC key")),
        };
        return keyRefusal
            ?? profile.CheckSignatureScheme(scheme.Algorithm)
            ?? profile.CheckSignatureHash(scheme.HashAlg);
    }

    /// <summary>An EK is a restricted decryption (storage) key with an AES-CFB symmetric definition (TCG EK Credential Profile §2.1.5).</summary>
    public static string? EndorsementKeyProblem(TpmPublic ek)
    {
        if (!ek.Has(ObjectAttributes.Restricted | ObjectAttributes.Decrypt | ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent) || ek.Has(ObjectAttributes.Sign))
        {
            return "the endorsement key must be a restricted decryption key fixed to its TPM";
        }

        var symmetric = ek.Parameters switch
        {
            RsaParameters rsa => rsa.Symmetric,
            EccParameters ecc => ecc.Symmetric,
            _ => SymmetricDefinition.Null,
        };
        return symmetric.Algorithm == TpmAlgId.Aes && symmetric.Mode == TpmAlgId.Cfb
            ? null
            : $"the endorsement key's symmetric definition must be AES-CFB, not {symmetric.Algorithm.Name()}/{symmetric.Mode.Name()}";
    }
}
