using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>
/// TPMT_PUBLIC templates for the keys the node creates with TPM2_CreatePrimary / TPM2_Create
/// (the TPM fills in <c>unique</c> for the key it makes).
/// </summary>
public static class KeyTemplates
{
    /// <summary>Attributes of the TCG default EK templates L-1/L-2 (EK Credential Profile §B.3.3): adminWithPolicy, no userWithAuth.</summary>
    public const ObjectAttributes EkLowRangeAttributes =
        ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent | ObjectAttributes.SensitiveDataOrigin |
        ObjectAttributes.AdminWithPolicy | ObjectAttributes.Restricted | ObjectAttributes.Decrypt;

    /// <summary>High-range templates (H-1..H-7) also set userWithAuth (Profile §B.4).</summary>
    public const ObjectAttributes EkHighRangeAttributes = EkLowRangeAttributes | ObjectAttributes.UserWithAuth;

    /// <summary>An attestation key: restricted signing, never decrypts, never leaves this TPM.</summary>
    public const ObjectAttributes AkAttributes =
        ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent | ObjectAttributes.SensitiveDataOrigin |
        ObjectAttributes.UserWithAuth | ObjectAttributes.Restricted | ObjectAttributes.Sign;

    /// <summary>A TPM-resident TLS key: unrestricted signing (it signs handshakes and its CSR), never leaves this TPM.</summary>
    public const ObjectAttributes TlsKeyAttributes =
        ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent | ObjectAttributes.SensitiveDataOrigin |
        ObjectAttributes.UserWithAuth | ObjectAttributes.Sign;

    /// <summary>TCG TPM v2.0 Provisioning Guidance §7.5.1: storage root key (SRK) attributes.</summary>
    public const ObjectAttributes SrkAttributes =
        ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent | ObjectAttributes.SensitiveDataOrigin |
        ObjectAttributes.UserWithAuth | ObjectAttributes.NoDa | ObjectAttributes.Restricted | ObjectAttributes.Decrypt;

    private static readonly SymmetricDefinition Aes256Cfb = new(TpmAlgId.Aes, 256, TpmAlgId.Cfb);

    /// <summary>Template L-1: RSA-2048 EK, AES-128-CFB, SHA-256 name, PolicyA, 256 zero bytes of unique (Profile §B.3.3).</summary>
    public static TpmPublic EkRsa2048() => new()
    {
        Type = TpmAlgId.Rsa,
        NameAlg = TpmAlgId.Sha256,
        Attributes = EkLowRangeAttributes,
        AuthPolicy = EkPolicies.PolicyA(TpmAlgId.Sha256),
        Parameters = new RsaParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, 2048, 0),
        Unique = new byte[256],
    };

    /// <summary>Template L-2: ECC NIST P-256 EK, AES-128-CFB, SHA-256 name, PolicyA, 32 zero bytes each of x and y (Profile §B.3.4).</summary>
    public static TpmPublic EkEccP256() => new()
    {
        Type = TpmAlgId.Ecc,
        NameAlg = TpmAlgId.Sha256,
        Attributes = EkLowRangeAttributes,
        AuthPolicy = EkPolicies.PolicyA(TpmAlgId.Sha256),
        Parameters = new EccParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, TpmEccCurve.NistP256, Scheme.Null),
        EccX = new byte[32],
        EccY = new byte[32],
    };

    /// <summary>Template H-3: ECC NIST P-384 EK, AES-256-CFB, SHA-384 name, PolicyB, empty unique (Profile §B.4.5).</summary>
    public static TpmPublic EkEccP384() => new()
    {
        Type = TpmAlgId.Ecc,
        NameAlg = TpmAlgId.Sha384,
        Attributes = EkHighRangeAttributes,
        AuthPolicy = EkPolicies.PolicyB(TpmAlgId.Sha384),
        Parameters = new EccParameters(Aes256Cfb, Scheme.Null, TpmEccCurve.NistP384, Scheme.Null),
    };

    /// <summary>SRK, RSA-2048 (Provisioning Guidance §7.5.1): a parent for AKs in the owner hierarchy.</summary>
    public static TpmPublic SrkRsa2048() => new()
    {
        Type = TpmAlgId.Rsa,
        NameAlg = TpmAlgId.Sha256,
        Attributes = SrkAttributes,
        Parameters = new RsaParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, 2048, 0),
        Unique = new byte[256],
    };

    /// <summary>SRK, ECC P-256 (Provisioning Guidance §7.5.1): much faster to derive than the RSA one.</summary>
    public static TpmPublic SrkEccP256() => new()
    {
        Type = TpmAlgId.Ecc,
        NameAlg = TpmAlgId.Sha256,
        Attributes = SrkAttributes,
        Parameters = new EccParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, TpmEccCurve.NistP256, Scheme.Null),
        EccX = new byte[32],
        EccY = new byte[32],
    };

    /// <summary>AK: RSA-2048 restricted signing key with RSASSA-PKCS1-v1_5 over <paramref name="hash"/>.</summary>
    public static TpmPublic AkRsa2048(TpmAlgId hash = TpmAlgId.Sha256) => new()
    {
        Type = TpmAlgId.Rsa,
        NameAlg = TpmAlgId.Sha256,
        Attributes = AkAttributes,
        Parameters = new RsaParameters(SymmetricDefinition.Null, new Scheme(TpmAlgId.RsaSsa, hash), 2048, 0),
    };

    /// <summary>AK: ECC restricted signing key with ECDSA over the curve's matching hash (P-256/SHA-256, P-384/SHA-384).</summary>
    public static TpmPublic AkEcc(TpmEccCurve curve = TpmEccCurve.NistP256)
    {
        var hash = curve switch
        {
            TpmEccCurve.NistP256 => TpmAlgId.Sha256,
            TpmEccCurve.NistP384 => TpmAlgId.Sha384,
            TpmEccCurve.NistP521 => TpmAlgId.Sha512,
            _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "AKs are made on NIST P-256, P-384 or P-521"),
        };
        return new TpmPublic
        {
            Type = TpmAlgId.Ecc,
            NameAlg = TpmAlgId.Sha256,
            Attributes = AkAttributes,
            Parameters = new EccParameters(SymmetricDefinition.Null, new Scheme(TpmAlgId.Ecdsa, hash), curve, Scheme.Null),
        };
    }
}

/// <summary>Templates of keys an agent keeps in its TPM beyond the AK.</summary>
public static class AgentKeyTemplates
{
    /// <summary>ECDSA P-256 with SHA-256, unrestricted: a TLS key whose CSR the AK certifies with TPM2_Certify.</summary>
    public static TpmPublic TlsKeyEccP256() => new()
    {
        Type = TpmAlgId.Ecc,
        NameAlg = TpmAlgId.Sha256,
        Attributes = KeyTemplates.TlsKeyAttributes,
        Parameters = new EccParameters(SymmetricDefinition.Null, new Scheme(TpmAlgId.Ecdsa, TpmAlgId.Sha256), TpmEccCurve.NistP256, Scheme.Null),
    };
}

/// <summary>
/// The EK authorization policies of the TCG EK Credential Profile 2.x (§B.6 "Computing PolicyA/B/C").
/// Low-range EKs use PolicyA (SHA-256) alone; high-range EKs use PolicyB = PolicyOR(PolicyA, PolicyC)
/// in their name hash, so activating them needs PolicySecret then PolicyOR with both branches.
/// </summary>
public static class EkPolicies
{
    /// <summary>PolicyC: PolicyAuthorizeNV(0x01C07F01/02), profile constants (they depend on an NV index's Name).</summary>
    public static byte[]? PolicyC(TpmAlgId hash) => hash switch
    {
        TpmAlgId.Sha256 => Convert.FromHexString("3767E2EDD43FF45A3A7E1EAEFCEF78643DCA964632E7AAD82C673A30D8633FDE"),
        TpmAlgId.Sha384 => Convert.FromHexString("D6032CE61F2FB3C240EB3CF6A33237EF2B6A16F4293C22B455E261CFFD217AD5B4947C2D73E63005EED2DC2B3593D165"),
        _ => null,
    };

    /// <summary>
    /// PolicyA = PolicySecret(TPM_RH_ENDORSEMENT) from an empty digest (Part 3 §23.4):
    /// H(H(0 || TPM_CC_PolicySecret || name) || policyRef), the Name of a permanent handle being the handle, policyRef empty.
    /// With SHA-256 this is the well-known 837197674484B3F8... of templates L-1 and L-2.
    /// </summary>
    public static byte[] PolicyA(TpmAlgId hash)
    {
        var writer = new TpmWriter();
        writer.WriteBytes(new byte[TpmHash.DigestSize(hash)]);
        writer.WriteUInt32((uint)TpmCc.PolicySecret);
        writer.WriteUInt32(TpmHandles.Endorsement);
        var first = TpmHash.Compute(hash, writer.WrittenSpan);
        return TpmHash.Compute(hash, first);
    }

    /// <summary>PolicyB = PolicyOR(PolicyA, PolicyC), the high-range templates' authPolicy.</summary>
    public static byte[] PolicyB(TpmAlgId hash) =>
        PolicyOr(hash, [PolicyA(hash), PolicyC(hash) ?? throw new NotSupportedException($"no PolicyC for {hash.Name()}")]);

    /// <summary>PolicyOR (Part 3 §23.6): H(0 || TPM_CC_PolicyOR || digests...).</summary>
    public static byte[] PolicyOr(TpmAlgId hash, IReadOnlyList<byte[]> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var writer = new TpmWriter();
        writer.WriteBytes(new byte[TpmHash.DigestSize(hash)]);
        writer.WriteUInt32((uint)TpmCc.PolicyOr);
        foreach (var branch in branches)
        {
            writer.WriteBytes(branch);
        }

        return TpmHash.Compute(hash, writer.WrittenSpan);
    }

    /// <summary>The OR branches to present when <paramref name="authPolicy"/> is PolicyB; null otherwise (PolicyA alone or unknown).</summary>
    public static byte[][]? PolicyBBranches(TpmAlgId hash, ReadOnlySpan<byte> authPolicy)
    {
        var c = PolicyC(hash);
        if (c is null)
        {
            return null;
        }

        byte[][] branches = [PolicyA(hash), c];
        return CryptographicOperations.FixedTimeEquals(PolicyOr(hash, branches), authPolicy) ? branches : null;
    }
}
