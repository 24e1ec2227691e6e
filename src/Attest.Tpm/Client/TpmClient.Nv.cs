using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>NV_ReadPublic / NV_Read, and EK certificates stored in NV.</summary>
public sealed partial class TpmClient
{
    /// <summary>Used when the TPM does not report TPM_PT_NV_BUFFER_MAX; every TPM 2.0 supports this much.</summary>
    public const int DefaultNvChunk = 1024;

    private int _nvBufferMax;

    /// <summary>TPM2_NV_ReadPublic (Part 3 §31.6): an index's TPMS_NV_PUBLIC and Name.</summary>
    public async Task<NvPublic> NvReadPublicAsync(uint index, CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(TpmCc.NvReadPublic, new[] { index }, null, default, 0, cancellationToken).ConfigureAwait(false);
        var outer = new TpmReader(response.Parameters);
        var publicBytes = outer.ReadSized("TPM2_NV_ReadPublic nvPublic", 256);
        var reader = new TpmReader(publicBytes, 2);
        var nvIndex = reader.ReadUInt32("TPMS_NV_PUBLIC.nvIndex");
        var nameAlg = (TpmAlgId)reader.ReadUInt16("TPMS_NV_PUBLIC.nameAlg");
        var attributes = reader.ReadUInt32("TPMS_NV_PUBLIC.attributes");
        var authPolicy = reader.ReadSized("TPMS_NV_PUBLIC.authPolicy", 64).ToArray();
        var dataSize = reader.ReadUInt16("TPMS_NV_PUBLIC.dataSize");
        reader.ExpectEnd("TPMS_NV_PUBLIC");
        var name = outer.ReadSized("TPM2_NV_ReadPublic nvName", 2 + 64).ToArray();
        outer.ExpectEnd("TPM2_NV_ReadPublic response");
        if (nvIndex != index)
        {
            throw new TpmFormatException("TPMS_NV_PUBLIC.nvIndex", 2, $"asked for 0x{index:X8} but got 0x{nvIndex:X8}");
        }

        return new NvPublic(nvIndex, nameAlg, attributes, authPolicy, dataSize, name);
    }

    /// <summary>
    /// Reads a whole NV index with TPM2_NV_Read (Part 3 §31.13), in chunks no larger than the TPM's
    /// TPM_PT_NV_BUFFER_MAX (or <paramref name="maxChunk"/> if smaller). Authorizes with the index
    /// itself when it allows AUTHREAD (EK certificate indices do, with an empty auth), else as owner.
    /// </summary>
    public async Task<byte[]> NvReadAsync(uint index, int? maxChunk = null, TpmAuthSession? auth = null, CancellationToken cancellationToken = default)
    {
        var pub = await NvReadPublicAsync(index, cancellationToken).ConfigureAwait(false);
        var chunk = await NvChunkSizeAsync(cancellationToken).ConfigureAwait(false);
        if (maxChunk is > 0)
        {
            chunk = Math.Min(chunk, maxChunk.Value);
        }

        var authHandle = (pub.Attributes & NvPublic.AuthRead) != 0 ? index
            : (pub.Attributes & NvPublic.OwnerRead) != 0 ? TpmHandles.Owner
            : (pub.Attributes & NvPublic.PpRead) != 0 ? TpmHandles.Platform
            : index;

        var data = new byte[pub.DataSize];
        for (var offset = 0; offset < data.Length;)
        {
            var size = (ushort)Math.Min(chunk, data.Length - offset);
            var parameters = new TpmWriter(4).WriteUInt16(size).WriteUInt16((ushort)offset).ToArray();
            var response = await ExecuteAsync(TpmCc.NvRead, new[] { authHandle, index }, Auth(auth), parameters, 0, cancellationToken).ConfigureAwait(false);
            var reader = new TpmReader(response.Parameters);
            var bytes = reader.ReadSized("TPM2_NV_Read data", size);
            reader.ExpectEnd("TPM2_NV_Read response");
            if (bytes.Length != size)
            {
                throw new TpmFormatException("TPM2_NV_Read data", 0, $"asked for {size} byte(s) at offset {offset} but got {bytes.Length}");
            }

            bytes.CopyTo(data.AsSpan(offset));
            offset += size;
        }

        return data;
    }

    /// <summary>
    /// The DER EK certificate at <paramref name="index"/> (e.g. <see cref="TpmHandles.EkCertificateRsa2048"/>),
    /// or null when the index is not defined (TPM_RC_HANDLE). Bytes after the DER SEQUENCE are cut
    /// off: some TPMs pad the index to a fixed size with zeros or 0xFF.
    /// </summary>
    public async Task<byte[]?> ReadEkCertificateAsync(uint index, CancellationToken cancellationToken = default)
    {
        byte[] data;
        try
        {
            data = await NvReadAsync(index, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (TpmResponseException ex) when (ex.Command == TpmCc.NvReadPublic && ex.Code.BaseCode == 0x08B)
        {
            return null;
        }

        return TrimDer(data);
    }

    private async Task<int> NvChunkSizeAsync(CancellationToken cancellationToken)
    {
        if (_nvBufferMax == 0)
        {
            var properties = await GetPropertiesAsync(TpmPt.NvBufferMax, 1, cancellationToken).ConfigureAwait(false);
            _nvBufferMax = properties.TryGetValue(TpmPt.NvBufferMax, out var max) && max is > 0 and <= 65535 ? (int)max : DefaultNvChunk;
        }

        return _nvBufferMax;
    }

    /// <summary>The bytes of the first DER element (X.690 §8.1.3 definite length); the input unchanged if it is not one.</summary>
    internal static byte[] TrimDer(byte[] data)
    {
        if (data.Length < 2 || data[0] != 0x30)
        {
            return data;
        }

        int length;
        int header;
        if (data[1] < 0x80)
        {
            length = data[1];
            header = 2;
        }
        else
        {
            var octets = data[1] & 0x7F;
            if (octets is 0 or > 3 || data.Length < 2 + octets)
            {
                return data;
            }

            length = 0;
            for (var i = 0; i < octets; i++)
            {
                length = (length << 8) | data[2 + i];
            }

            header = 2 + octets;
        }

        return header + length <= data.Length ? data.AsSpan(0, header + length).ToArray() : data;
    }
}

/// <summary>TPMS_NV_PUBLIC (Part 2 §13.5) and the index's Name.</summary>
public sealed record NvPublic(uint Index, TpmAlgId NameAlg, uint Attributes, byte[] AuthPolicy, ushort DataSize, byte[] Name)
{
    /// <summary>TPMA_NV bits (Part 2 §13.4).</summary>
    public const uint PpRead = 1u << 16;
    public const uint OwnerRead = 1u << 17;
    public const uint AuthRead = 1u << 18;
    public const uint PolicyRead = 1u << 19;
    public const uint Written = 1u << 29;
}
