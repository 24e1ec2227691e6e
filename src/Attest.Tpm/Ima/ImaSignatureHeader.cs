using System.Buffers.Binary;

namespace Attest.Tpm.Ima;

/// <summary>
/// The header of an IMA file signature as stored in security.ima and copied into the <c>sig</c>
/// field: struct signature_v2_hdr (security/integrity/integrity.h): type, version, hash_algo,
/// keyid (big-endian, the low 32 bits of the signing key's subject key identifier), sig_size
/// (big-endian), then the signature. Version 3 (sigv3, used for fs-verity) has the same header.
/// </summary>
public sealed record ImaSignatureHeader(byte Type, byte Version, byte HashAlgorithm, uint KeyId, ushort SignatureSize)
{
    public const int Size = 9;

    /// <summary>EVM_IMA_XATTR_DIGSIG: a signature over the file digest.</summary>
    public const byte TypeDigSig = 0x03;

    /// <summary>EVM_XATTR_PORTABLE_DIGSIG.</summary>
    public const byte TypePortableDigSig = 0x05;

    /// <summary>IMA_VERITY_DIGSIG: a signature over an fs-verity digest.</summary>
    public const byte TypeVerityDigSig = 0x06;

    /// <summary>Kernel name of the hash algorithm (sha256, ...).</summary>
    public string HashAlgorithmName => ImaHashAlgorithms.NameOf(HashAlgorithm);

    /// <summary>True when sig_size equals the bytes that follow the header, as the kernel requires to verify it.</summary>
    public bool SizeMatches { get; init; }

    public string TypeName => Type switch
    {
        TypeDigSig => "digsig",
        TypePortableDigSig => "portable-digsig",
        TypeVerityDigSig => "verity-digsig",
        _ => $"type#{Type}",
    };

    /// <summary>
    /// Decodes the header of a <c>sig</c> field, or returns null when the bytes are not a v2/v3 signature
    /// (empty field, an unsigned file's digest xattr, too short). The field itself is kept raw either way.
    /// </summary>
    public static ImaSignatureHeader? TryDecode(ReadOnlySpan<byte> sig)
    {
        if (sig.Length < Size || sig[1] is not (2 or 3))
        {
            return null;
        }

        var size = BinaryPrimitives.ReadUInt16BigEndian(sig[7..]);
        return new ImaSignatureHeader(sig[0], sig[1], sig[2], BinaryPrimitives.ReadUInt32BigEndian(sig[3..]), size)
        {
            SizeMatches = size == sig.Length - Size,
        };
    }
}
