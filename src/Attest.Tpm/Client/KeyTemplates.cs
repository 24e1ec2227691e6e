using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>TPMA_OBJECT bits (TPM 2.0 Part 2 §8.3).</summary>
[Flags]
#pragma warning disable CA1028 // TPMA_OBJECT is a UINT32 on the wire.
public enum TpmaObject : uint
#pragma warning restore CA1028
{
    None = 0,
    FixedTpm = 1 << 1,
    StClear = 1 << 2,
    FixedParent = 1 << 4,
    SensitiveDataOrigin = 1 << 5,
    UserWithAuth = 1 << 6,
    AdminWithPolicy = 1 << 7,
    NoDa = 1 << 10,
    EncryptedDuplication = 1 << 11,
    Restricted = 1 << 16,
    Decrypt = 1 << 17,
    Sign = 1 << 18,
}

/// <summary>
/// TPMT_PUBLIC templates for the keys the node creates, as marshaled bytes ready for
/// TPM2_CreatePrimary / TPM2_Create (the TPM fills in <c>unique</c>).
/// </summary>
public static class KeyTemplates
{
    /// <summary>TCG EK Credential Profile 2.x §B.3.3: PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256 ("PolicyA").</summary>
    public static ReadOnlySpan<byte> EkPolicySha256 =>
    [
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
        0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
    ];

    /// <summary>Attributes of the TCG default EK templates L-1/L-2 (Profile §B.3.3): no userWithAuth, adminWithPolicy.</summary>
    public const TpmaObject EkLowRangeAttributes =
        TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin |
        TpmaObject.AdminWithPolicy | TpmaObject.Restricted | TpmaObject.Decrypt;

    /// <summary>High-range templates (H-1..H-7) also set userWithAuth (Profile §B.4).</summary>
    public const TpmaObject EkHighRangeAttributes = EkLowRangeAttributes | TpmaObject.UserWithAuth;

    /// <summary>An attestation key: restricted signing, never decrypts, never leaves this TPM.</summary>
    public const TpmaObject AkAttributes =
        TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin |
        TpmaObject.UserWithAuth | TpmaObject.Restricted | TpmaObject.Sign;

    /// <summary>TCG TPM v2.0 Provisioning Guidance §7.5.1: the storage root key (SRK) template attributes.</summary>
    public const TpmaObject SrkAttributes =
        TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin |
        TpmaObject.UserWithAuth | TpmaObject.NoDa | TpmaObject.Restricted | TpmaObject.Decrypt;

    /// <summary>Template L-1: RSA-2048 EK, AES-128-CFB, SHA-256 name, 256 zero bytes of unique (Profile §B.3.3).</summary>
    public static byte[] EkRsa2048() =>
        Rsa(TpmAlgId.Sha256, EkLowRangeAttributes, EkPolicySha256, symmetricBits: 128, TpmAlgId.Null, TpmAlgId.Null, 2048, new byte[256]);

    /// <summary>Template L-2: ECC NIST P-256 EK, AES-128-CFB, SHA-256 name, 32-zero-byte x and y (Profile §B.3.4).</summary>
    public static byte[] EkEccP256() =>
        Ecc(TpmAlgId.Sha256, EkLowRangeAttributes, EkPolicySha256, symmetricBits: 128, TpmAlgId.Null, TpmAlgId.Null, TpmEccCurve.NistP256, new byte[32]);

    /// <summary>Template H-3: ECC NIST P-384 EK, AES-256-CFB, SHA-384 name, PolicyB, empty unique (Profile §B.4.5).</summary>
    public static byte[] EkEccP384() =>
        Ecc(TpmAlgId.Sha384, EkHighRangeAttributes, EkPolicies.PolicyBSha384, symmetricBits: 256, TpmAlgId.Null, TpmAlgId.Null, TpmEccCurve.NistP384, []);

    /// <summary>SRK, RSA-2048 (Provisioning Guidance §7.5.1): a parent for AKs in the owner hierarchy.</summary>
    public static byte[] SrkRsa2048() =>
        Rsa(TpmAlgId.Sha256, SrkAttributes, [], symmetricBits: 128, TpmAlgId.Null, TpmAlgId.Null, 2048, new byte[256]);

    /// <summary>SRK, ECC P-256 (Provisioning Guidance §7.5.1).</summary>
    public static byte[] SrkEccP256() =>
        Ecc(TpmAlgId.Sha256, SrkAttributes, [], symmetricBits: 128, TpmAlgId.Null, TpmAlgId.Null, TpmEccCurve.NistP256, new byte[32]);

    /// <summary>AK: RSA-2048 restricted signing key with RSASSA-PKCS1-v1_5 over <paramref name="hash"/>.</summary>
    public static byte[] AkRsa2048(TpmAlgId hash = TpmAlgId.Sha256) =>
        Rsa(TpmAlgId.Sha256, AkAttributes, [], symmetricBits: 0, TpmAlgId.RsaSsa, hash, 2048, []);

    /// <summary>AK: ECC restricted signing key with ECDSA over the curve's matching hash (P-256/SHA-256, P-384/SHA-384).</summary>
    public static byte[] AkEcc(TpmEccCurve curve = TpmEccCurve.NistP256)
    {
        var hash = curve switch
        {
            TpmEccCurve.NistP256 => TpmAlgId.Sha256,
            TpmEccCurve.NistP384 => TpmAlgId.Sha384,
            TpmEccCurve.NistP521 => TpmAlgId.Sha512,
            _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "AKs are made on NIST P-256, P-384 or P-521"),
        };
        return Ecc(TpmAlgId.Sha256, AkAttributes, [], symmetricBits: 0, TpmAlgId.Ecdsa, hash, curve, []);
    }

    /// <summary>TPMT_PUBLIC for RSA (Part 2 §12.2.4, TPMS_RSA_PARMS §12.2.3.5). symmetricBits 0 = TPM_ALG_NULL.</summary>
    public static byte[] Rsa(TpmAlgId nameAlg, TpmaObject attributes, ReadOnlySpan<byte> authPolicy, int symmetricBits, TpmAlgId scheme, TpmAlgId schemeHash, ushort keyBits, ReadOnlySpan<byte> unique)
    {
        var writer = Header(TpmAlgId.Rsa, nameAlg, attributes, authPolicy);
        WriteSymmetric(writer, symmetricBits);
        WriteScheme(writer, scheme, schemeHash);
        writer.WriteUInt16(keyBits);
        writer.WriteUInt32(0); // exponent 0 = the default 65537
        writer.WriteSized(unique);
        return writer.ToArray();
    }

    /// <summary>TPMT_PUBLIC for ECC (Part 2 §12.2.4, TPMS_ECC_PARMS §12.2.3.6); kdf is TPM_ALG_NULL.</summary>
    public static byte[] Ecc(TpmAlgId nameAlg, TpmaObject attributes, ReadOnlySpan<byte> authPolicy, int symmetricBits, TpmAlgId scheme, TpmAlgId schemeHash, TpmEccCurve curve, ReadOnlySpan<byte> uniqueCoordinate)
    {
        var writer = Header(TpmAlgId.Ecc, nameAlg, attributes, authPolicy);
        WriteSymmetric(writer, symmetricBits);
        WriteScheme(writer, scheme, schemeHash);
        writer.WriteUInt16((ushort)curve);
        writer.WriteUInt16((ushort)TpmAlgId.Null); // kdf
        writer.WriteSized(uniqueCoordinate);       // x
        writer.WriteSized(uniqueCoordinate);       // y
        return writer.ToArray();
    }

    private static TpmWriter Header(TpmAlgId type, TpmAlgId nameAlg, TpmaObject attributes, ReadOnlySpan<byte> authPolicy)
    {
        var writer = new TpmWriter(512);
        writer.WriteUInt16((ushort)type);
        writer.WriteUInt16((ushort)nameAlg);
        writer.WriteUInt32((uint)attributes);
        writer.WriteSized(authPolicy);
        return writer;
    }

    private static void WriteSymmetric(TpmWriter writer, int bits)
    {
        if (bits == 0)
        {
            writer.WriteUInt16((ushort)TpmAlgId.Null);
            return;
        }

        writer.WriteUInt16((ushort)TpmAlgId.Aes);
        writer.WriteUInt16((ushort)bits);
        writer.WriteUInt16((ushort)TpmAlgId.Cfb);
    }

    private static void WriteScheme(TpmWriter writer, TpmAlgId scheme, TpmAlgId hash)
    {
        writer.WriteUInt16((ushort)scheme);
        if (scheme != TpmAlgId.Null)
        {
            writer.WriteUInt16((ushort)hash);
        }
    }
}

/// <summary>
/// The EK authorization policies of the TCG EK Credential Profile 2.x (§B.6 "Computing PolicyA/B/C").
/// Low-range EKs use PolicyA (SHA-256) alone; high-range EKs use PolicyB = PolicyOR(PolicyA, PolicyC)
/// in their name hash, so activating them needs PolicySecret then PolicyOR with both branches.
/// </summary>
public static class EkPolicies
{
    /// <summary>PolicyC (SHA-384): PolicyAuthorizeNV(0x01C07F02), a profile constant.</summary>
    public static ReadOnlySpan<byte> PolicyCSha384 => Convert.FromHexString(
        "D6032CE61F2FB3C240EB3CF6A33237EF2B6A16F4293C22B455E261CFFD217AD5B4947C2D73E63005EED2DC2B3593D165");

    /// <summary>PolicyC (SHA-256): PolicyAuthorizeNV(0x01C07F01).</summary>
    public static ReadOnlySpan<byte> PolicyCSha256 => Convert.FromHexString(
        "3767E2EDD43FF45A3A7E1EAEFCEF78643DCA964632E7AAD82C673A30D8633FDE");

    /// <summary>PolicyB (SHA-384) as in template H-3, recomputed rather than trusted.</summary>
    public static byte[] PolicyBSha384 => PolicyOr(TpmAlgId.Sha384, [PolicyA(TpmAlgId.Sha384), PolicyCSha384.ToArray()]);

    /// <summary>
    /// PolicySecret(TPM_RH_ENDORSEMENT) from an empty digest (Part 3 §23.4): H(H(0 || CC || name) || policyRef),
    /// the name of a permanent handle being the handle itself, policyRef empty.
    /// </summary>
    public static byte[] PolicyA(TpmAlgId hash)
    {
        var size = TpmHash.DigestSize(hash);
        var writer = new TpmWriter();
        writer.WriteBytes(new byte[size]);
        writer.WriteUInt32((uint)TpmCc.PolicySecret);
        writer.WriteUInt32(TpmHandles.Endorsement);
        var first = TpmHash.Compute(hash, writer.WrittenSpan);
        return TpmHash.Compute(hash, first);
    }

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

    /// <summary>The OR branches to present for a known high-range PolicyB; null when the policy is PolicyA or unknown.</summary>
    public static byte[][]? PolicyBBranches(TpmAlgId hash, ReadOnlySpan<byte> authPolicy)
    {
        byte[]? c = hash switch
        {
            TpmAlgId.Sha256 => PolicyCSha256.ToArray(),
            TpmAlgId.Sha384 => PolicyCSha384.ToArray(),
            _ => null,
        };
        if (c is null)
        {
            return null;
        }

        byte[][] branches = [PolicyA(hash), c];
        return CryptographicOperations.FixedTimeEquals(PolicyOr(hash, branches), authPolicy) ? branches : null;
    }
}
