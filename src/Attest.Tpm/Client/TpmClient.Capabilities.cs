using System.Text;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>TPM2_GetCapability (Part 3 §30.2) for PCR banks, properties and handles.</summary>
public sealed partial class TpmClient
{
    /// <summary>The PCR banks the TPM has allocated; a bank with no PCR selected is inactive.</summary>
    public async Task<PcrSelection> GetPcrBanksAsync(CancellationToken cancellationToken = default)
    {
        var (_, data) = await GetCapabilityAsync(TpmCapability.Pcrs, 0, 1, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(data);
        var banks = PcrSelection.Read(ref reader);
        reader.ExpectEnd("TPMS_CAPABILITY_DATA.assignedPCR");
        return banks;
    }

    /// <summary>The active banks only (at least one PCR allocated), e.g. sha1 and sha256.</summary>
    public async Task<PcrSelection> GetActivePcrBanksAsync(CancellationToken cancellationToken = default) =>
        new((await GetPcrBanksAsync(cancellationToken).ConfigureAwait(false)).Banks.Where(b => b.Indices.Count > 0));

    /// <summary>TPM_PROPERTIES from <paramref name="first"/> onward, following moreData until <paramref name="count"/> are read.</summary>
    public async Task<IReadOnlyDictionary<TpmPt, uint>> GetPropertiesAsync(TpmPt first, int count, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<TpmPt, uint>();
        var next = (uint)first;
        var end = (uint)first + (uint)count;
        while (next < end)
        {
            var (more, data) = await GetCapabilityAsync(TpmCapability.TpmProperties, next, (uint)(end - next), cancellationToken).ConfigureAwait(false);
            var reader = new TpmReader(data);
            var n = reader.ReadUInt32("TPML_TAGGED_TPM_PROPERTY.count");
            if (n > 256)
            {
                throw reader.Fail("TPML_TAGGED_TPM_PROPERTY.count", $"{n} properties in one response is implausible");
            }

            var last = next;
            for (var i = 0; i < n; i++)
            {
                var property = reader.ReadUInt32($"TPML_TAGGED_TPM_PROPERTY[{i}].property");
                var value = reader.ReadUInt32($"TPML_TAGGED_TPM_PROPERTY[{i}].value");
                if (property < end)
                {
                    result[(TpmPt)property] = value;
                }

                last = Math.Max(last, property);
            }

            reader.ExpectEnd("TPML_TAGGED_TPM_PROPERTY");
            if (!more || n == 0 || last + 1 <= next)
            {
                break;
            }

            next = last + 1;
        }

        return result;
    }

    /// <summary>The fixed properties (PT_FIXED group): who made the TPM, its firmware, its limits.</summary>
    public async Task<TpmFixedProperties> GetFixedPropertiesAsync(CancellationToken cancellationToken = default)
    {
        var p = await GetPropertiesAsync(TpmPt.FamilyIndicator, (int)(TpmPt.NvBufferMax - TpmPt.FamilyIndicator) + 1, cancellationToken).ConfigureAwait(false);
        uint Get(TpmPt pt) => p.TryGetValue(pt, out var v) ? v : 0;
        return new TpmFixedProperties(
            Family: Ascii(Get(TpmPt.FamilyIndicator)),
            Level: Get(TpmPt.Level),
            Revision: Get(TpmPt.Revision),
            Manufacturer: Ascii(Get(TpmPt.Manufacturer)),
            ManufacturerId: Get(TpmPt.Manufacturer),
            VendorString: Ascii(Get(TpmPt.VendorString1), Get(TpmPt.VendorString2), Get(TpmPt.VendorString3), Get(TpmPt.VendorString4)),
            FirmwareVersion1: Get(TpmPt.FirmwareVersion1),
            FirmwareVersion2: Get(TpmPt.FirmwareVersion2),
            Year: Get(TpmPt.Year),
            DayOfYear: Get(TpmPt.DayOfYear),
            InputBuffer: Get(TpmPt.InputBuffer),
            MaxCommandSize: Get(TpmPt.MaxCommandSize),
            MaxResponseSize: Get(TpmPt.MaxResponseSize),
            NvBufferMax: Get(TpmPt.NvBufferMax),
            PcrCount: Get(TpmPt.PcrCount));
    }

    /// <summary>Handles of one type (first byte of <paramref name="first"/>, e.g. 0x81000000 persistent, 0x01000000 NV).</summary>
    public async Task<IReadOnlyList<uint>> GetHandlesAsync(uint first, CancellationToken cancellationToken = default)
    {
        var result = new List<uint>();
        var type = TpmHandles.Type(first);
        var next = first;
        while (true)
        {
            var (more, data) = await GetCapabilityAsync(TpmCapability.Handles, next, 64, cancellationToken).ConfigureAwait(false);
            var reader = new TpmReader(data);
            var n = reader.ReadUInt32("TPML_HANDLE.count");
            if (n > 256)
            {
                throw reader.Fail("TPML_HANDLE.count", $"{n} handles in one response is implausible");
            }

            var last = next;
            for (var i = 0; i < n; i++)
            {
                var handle = reader.ReadUInt32($"TPML_HANDLE[{i}]");
                if (TpmHandles.Type(handle) == type)
                {
                    result.Add(handle);
                }

                last = Math.Max(last, handle);
            }

            reader.ExpectEnd("TPML_HANDLE");
            if (!more || n == 0 || last == uint.MaxValue || last + 1 <= next)
            {
                return result;
            }

            next = last + 1;
        }
    }

    /// <summary>One TPM2_GetCapability call: moreData and the union bytes after the capability selector.</summary>
    private async Task<(bool More, byte[] Data)> GetCapabilityAsync(TpmCapability capability, uint property, uint count, CancellationToken cancellationToken)
    {
        var parameters = new TpmWriter(12).WriteUInt32((uint)capability).WriteUInt32(property).WriteUInt32(count).ToArray();
        var response = await ExecuteAsync(TpmCc.GetCapability, default, null, parameters, 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var more = reader.ReadUInt8("TPM2_GetCapability moreData");
        var returned = reader.ReadUInt32("TPMS_CAPABILITY_DATA.capability");
        if (returned != (uint)capability)
        {
            throw reader.Fail("TPMS_CAPABILITY_DATA.capability", $"asked for {capability} but got {returned}");
        }

        return (more != 0, reader.Rest.ToArray());
    }

    /// <summary>TPM vendor strings are 4 ASCII bytes per UINT32, big-endian, NUL-padded.</summary>
    private static string Ascii(params uint[] words)
    {
        var text = new StringBuilder();
        foreach (var word in words)
        {
            for (var shift = 24; shift >= 0; shift -= 8)
            {
                var c = (char)((word >> shift) & 0xFF);
                if (c is >= ' ' and <= '~')
                {
                    text.Append(c);
                }
            }
        }

        return text.ToString().Trim();
    }
}

/// <summary>Selected PT_FIXED properties (Part 2 §6.13).</summary>
public sealed record TpmFixedProperties(
    string Family,
    uint Level,
    uint Revision,
    string Manufacturer,
    uint ManufacturerId,
    string VendorString,
    uint FirmwareVersion1,
    uint FirmwareVersion2,
    uint Year,
    uint DayOfYear,
    uint InputBuffer,
    uint MaxCommandSize,
    uint MaxResponseSize,
    uint NvBufferMax,
    uint PcrCount)
{
    /// <summary>Firmware version as vendors print it: the two 32-bit words as four 16-bit parts.</summary>
    public string FirmwareVersion => $"{FirmwareVersion1 >> 16}.{FirmwareVersion1 & 0xFFFF}.{FirmwareVersion2 >> 16}.{FirmwareVersion2 & 0xFFFF}";
}
