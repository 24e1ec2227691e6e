using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>UEFI_VARIABLE_DATA (PFP 1.06 §10.2.3) and the content of the variables policies care about.</summary>
public static class UefiVariableDecoder
{
    /// <summary>Decodes the structure; a malformed structure throws, a malformed variable payload only sets ContentError.</summary>
    public static UefiVariableEventData Decode(TcgEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var reader = new TpmReader(e.Data, e.DataOffset);
        var guid = EfiGuid.Read(ref reader, "UEFI_VARIABLE_DATA.VariableName");
        var nameLengthOffset = reader.Offset;
        var nameLength = reader.ReadUInt64LE("UEFI_VARIABLE_DATA.UnicodeNameLength");
        var dataLengthOffset = reader.Offset;
        var dataLength = reader.ReadUInt64LE("UEFI_VARIABLE_DATA.VariableDataLength");

        // Lengths are checked against what remains before they are multiplied or cast.
        if (nameLength > (ulong)reader.Remaining / 2)
        {
            throw new TpmFormatException("UEFI_VARIABLE_DATA.UnicodeNameLength", nameLengthOffset, $"{nameLength} characters do not fit");
        }

        var name = Ucs2.Decode(reader.ReadBytes((int)nameLength * 2, "UEFI_VARIABLE_DATA.UnicodeName"));
        if (dataLength > (ulong)reader.Remaining)
        {
            throw new TpmFormatException("UEFI_VARIABLE_DATA.VariableDataLength", dataLengthOffset, $"{dataLength} bytes do not fit in the {reader.Remaining} remaining");
        }

        var dataOffset = reader.Offset;
        var data = reader.ReadBytes((int)dataLength, "UEFI_VARIABLE_DATA.VariableData").ToArray();

        // Some firmware pads the event after the variable; tolerated, the digest decides what counts.
        try
        {
            var content = Content(e.Type, guid, name, data, dataOffset);
            return new UefiVariableEventData(guid, name, data, content, null);
        }
        catch (TpmFormatException ex)
        {
            return new UefiVariableEventData(guid, name, data, null, ex.Message);
        }
    }

    /// <summary>The VariableData part only: what some firmware hashes for EV_EFI_VARIABLE_BOOT (see <see cref="EventDataBinding"/>).</summary>
    internal static bool TryGetVariableData(ReadOnlySpan<byte> eventData, out ReadOnlySpan<byte> variableData)
    {
        variableData = default;
        if (eventData.Length < 32)
        {
            return false;
        }

        var nameLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(eventData[16..]);
        var dataLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(eventData[24..]);
        var rest = (ulong)(eventData.Length - 32);
        if (nameLength > rest / 2 || dataLength > rest - (nameLength * 2))
        {
            return false;
        }

        variableData = eventData.Slice(32 + (int)nameLength * 2, (int)dataLength);
        return true;
    }

    private static UefiVariableContent? Content(TcgEventType type, Guid guid, string name, byte[] data, int offset)
    {
        // shim measures its SBAT level as an authority event with CSV text, not a signature.
        if (name == "SbatLevel" && Ucs2.LooksLikeAscii(data))
        {
            return new TextVariableContent(Ucs2.Ascii(data));
        }

        // shim measures MokListTrusted / MokSBState-style switches as one-byte authority events.
        if (type == TcgEventType.EfiVariableAuthority && data.Length == 1)
        {
            return new ByteVariableContent(data[0]);
        }

        if (type == TcgEventType.EfiVariableAuthority)
        {
            return new SignatureDataContent(SignatureListDecoder.DecodeAuthority(data, offset));
        }

        if (guid == EfiGuid.GlobalVariable)
        {
            switch (name)
            {
                case "SecureBoot" or "SetupMode" or "AuditMode" or "DeployedMode" when data.Length == 1:
                    return new ByteVariableContent(data[0]);
                case "PK" or "KEK":
                    return new SignatureDatabaseContent(SignatureListDecoder.DecodeDatabase(data, offset));
                case "BootOrder":
                    return new BootOrderContent(BootOrder(data, offset));
            }

            if (IsBootOption(name))
            {
                return new LoadOptionContent(LoadOptionDecoder.Decode(data, offset));
            }
        }

        if (guid == EfiGuid.ImageSecurityDatabase && name is "db" or "dbx" or "dbt" or "dbr")
        {
            return new SignatureDatabaseContent(SignatureListDecoder.DecodeDatabase(data, offset));
        }

        if (guid == EfiGuid.ShimLock && name is "MokList" or "MokListX" or "MokListTrusted" && data.Length > 1)
        {
            return new SignatureDatabaseContent(SignatureListDecoder.DecodeDatabase(data, offset));
        }

        return null;
    }

    /// <summary>Boot#### with four hex digits (UEFI 2.10 §3.1.1).</summary>
    public static bool IsBootOption(string name) =>
        name.Length == 8 && name.StartsWith("Boot", StringComparison.Ordinal) && name.AsSpan(4).ContainsOnlyHex();

    private static ushort[] BootOrder(byte[] data, int offset)
    {
        var reader = new TpmReader(data, offset);
        if (data.Length % 2 != 0)
        {
            throw reader.Fail("BootOrder", $"odd length {data.Length}");
        }

        var order = new ushort[data.Length / 2];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = reader.ReadUInt16LE("BootOrder");
        }

        return order;
    }
}

internal static class HexCharExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
