using System.Security.Cryptography;
using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>
/// Decodes an event's data by its type. Never throws for bad data: a payload that does not decode
/// becomes <see cref="RawEventData"/> with the reason (the log as a whole stays usable).
/// </summary>
public static class EventDataDecoder
{
    private const int MaxTables = 1024;
    private const int MaxPartitions = 1024;

    /// <param name="uintnSize">Bytes of a UINTN as the Spec ID header declares (4 or 8; 8 when unknown).</param>
    public static EventData Decode(TcgEvent e, int uintnSize = 8)
    {
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            return DecodeOrThrow(e, uintnSize == 4 ? 4 : 8);
        }
        catch (TpmFormatException ex)
        {
            return new RawEventData(ex.Message);
        }
        catch (CryptographicException ex)
        {
            return new RawEventData(ex.Message);
        }
    }

    /// <summary>Decodes with the log's context: its UINTN size, and its parsed Spec ID header for event 0.</summary>
    public static EventData Decode(TcgEventLog log, TcgEvent e)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(e);
        return e.Index == 0 && log.SpecId is { } specId ? new SpecIdEventData(specId) : Decode(e, UintnSize(log));
    }

    /// <summary>UINTN size of a log: Spec ID uintnSize 1 means 32-bit, 2 means 64-bit (PFP 1.06 §10.4.5.1).</summary>
    public static int UintnSize(TcgEventLog log) => log?.SpecId?.UintnSize == 1 ? 4 : 8;

    private static EventData DecodeOrThrow(TcgEvent e, int uintn)
    {
        var data = e.Data;
        return e.Type switch
        {
            TcgEventType.EfiVariableDriverConfig or TcgEventType.EfiVariableBoot or TcgEventType.EfiVariableBoot2
                or TcgEventType.EfiVariableAuthority => UefiVariableDecoder.Decode(e),
            TcgEventType.EfiBootServicesApplication or TcgEventType.EfiBootServicesDriver
                or TcgEventType.EfiRuntimeServicesDriver => ImageLoad(e, uintn),
            TcgEventType.EfiPlatformFirmwareBlob => Blob(e),
            TcgEventType.EfiPlatformFirmwareBlob2 => Blob2(e),
            TcgEventType.PostCode or TcgEventType.SCrtmContents when data.Length == 16 => Blob(e),
            TcgEventType.PostCode2 when data.Length > 17 && data[0] == data.Length - 17 => Blob2(e),
            TcgEventType.SCrtmVersion => CrtmVersion(data),
            TcgEventType.Separator => Separator(e),
            TcgEventType.EfiGptEvent or TcgEventType.EfiGptEvent2 => Gpt(e, uintn),
            TcgEventType.EfiHandoffTables => Handoff(e, uintn, described: false),
            TcgEventType.EfiHandoffTables2 => Handoff(e, uintn, described: true),
            TcgEventType.EventTag => Tag(e),
            TcgEventType.Ipl => Ipl(data),
            TcgEventType.NoAction => NoAction(e),
            _ => Text(data) ?? new RawEventData(null),
        };
    }

    private static EventData? Text(byte[] data)
    {
        if (Ucs2.LooksLikeUtf16(data))
        {
            return new TextEventData(Ucs2.Utf16(data), "utf-16le");
        }

        return Ucs2.LooksLikeAscii(data) ? new TextEventData(Ucs2.Ascii(data), "ascii") : null;
    }

    // PFP 1.06 §10.4.1: EV_S_CRTM_VERSION is a UCS-2 string, but some firmware logs a GUID (16 bytes).
    private static EventData CrtmVersion(byte[] data) =>
        Text(data) ?? (data.Length == 16 ? new GuidEventData(new Guid(data)) : new RawEventData(null));

    private static ImageLoadEventData ImageLoad(TcgEvent e, int uintn)
    {
        var r = new TpmReader(e.Data, e.DataOffset);
        var location = r.ReadUInt64LE("UEFI_IMAGE_LOAD_EVENT.ImageLocationInMemory");
        var length = ReadUintn(ref r, uintn, "UEFI_IMAGE_LOAD_EVENT.ImageLengthInMemory");
        var link = ReadUintn(ref r, uintn, "UEFI_IMAGE_LOAD_EVENT.ImageLinkTimeAddress");
        var pathLengthOffset = r.Offset;
        var pathLength = ReadUintn(ref r, uintn, "UEFI_IMAGE_LOAD_EVENT.LengthOfDevicePath");
        if (pathLength > (ulong)r.Remaining)
        {
            throw new TpmFormatException("UEFI_IMAGE_LOAD_EVENT.LengthOfDevicePath", pathLengthOffset, $"{pathLength} bytes do not fit");
        }

        var pathOffset = r.Offset;
        var path = r.ReadBytes((int)pathLength, "UEFI_IMAGE_LOAD_EVENT.DevicePath");
        return new ImageLoadEventData(location, length, link, DevicePathText.Decode(path, pathOffset));
    }

    private static FirmwareBlobEventData Blob(TcgEvent e)
    {
        var r = new TpmReader(e.Data, e.DataOffset);
        var blob = new FirmwareBlobEventData(r.ReadUInt64LE("UEFI_PLATFORM_FIRMWARE_BLOB.BlobBase"), r.ReadUInt64LE("UEFI_PLATFORM_FIRMWARE_BLOB.BlobLength"), null);
        r.ExpectEnd("UEFI_PLATFORM_FIRMWARE_BLOB");
        return blob;
    }

    private static FirmwareBlobEventData Blob2(TcgEvent e)
    {
        var r = new TpmReader(e.Data, e.DataOffset);
        var size = r.ReadUInt8("UEFI_PLATFORM_FIRMWARE_BLOB2.BlobDescriptionSize");
        var description = Ucs2.Ascii(r.ReadBytes(size, "UEFI_PLATFORM_FIRMWARE_BLOB2.BlobDescription"));
        var blob = new FirmwareBlobEventData(r.ReadUInt64LE("UEFI_PLATFORM_FIRMWARE_BLOB2.BlobBase"), r.ReadUInt64LE("UEFI_PLATFORM_FIRMWARE_BLOB2.BlobLength"), description);
        r.ExpectEnd("UEFI_PLATFORM_FIRMWARE_BLOB2");
        return blob;
    }

    private static SeparatorEventData Separator(TcgEvent e)
    {
        var r = new TpmReader(e.Data, e.DataOffset);
        var value = r.ReadUInt32LE("EV_SEPARATOR.value");
        r.ExpectEnd("EV_SEPARATOR");
        return new SeparatorEventData(value);
    }

    private static GptEventData Gpt(TcgEvent e, int uintn)
    {
        // UEFI_GPT_DATA: EFI_PARTITION_TABLE_HEADER (92 bytes, UEFI 2.10 §5.3.2), NumberOfPartitions, entries.
        var r = new TpmReader(e.Data, e.DataOffset);
        var signature = r.ReadUInt64LE("EFI_PARTITION_TABLE_HEADER.Signature");
        if (signature != 0x5452415020494645) // "EFI PART"
        {
            throw r.Fail("EFI_PARTITION_TABLE_HEADER.Signature", "not \"EFI PART\"");
        }

        r.Skip(48, "EFI_PARTITION_TABLE_HEADER");
        var disk = EfiGuid.Read(ref r, "EFI_PARTITION_TABLE_HEADER.DiskGUID");
        r.Skip(8, "EFI_PARTITION_TABLE_HEADER.PartitionEntryLBA");
        r.Skip(4, "EFI_PARTITION_TABLE_HEADER.NumberOfPartitionEntries");
        var entrySizeOffset = r.Offset;
        var entrySize = r.ReadUInt32LE("EFI_PARTITION_TABLE_HEADER.SizeOfPartitionEntry");
        r.Skip(4, "EFI_PARTITION_TABLE_HEADER.PartitionEntryArrayCRC32");
        var countOffset = r.Offset;
        var count = ReadUintn(ref r, uintn, "UEFI_GPT_DATA.NumberOfPartitions");
        if (entrySize < 128 || entrySize > 4096)
        {
            throw new TpmFormatException("EFI_PARTITION_TABLE_HEADER.SizeOfPartitionEntry", entrySizeOffset, $"entry size {entrySize}");
        }

        if (count > MaxPartitions || count * entrySize > (ulong)r.Remaining)
        {
            throw new TpmFormatException("UEFI_GPT_DATA.NumberOfPartitions", countOffset, $"{count} partitions of {entrySize} bytes do not fit");
        }

        var partitions = new List<GptPartition>((int)count);
        for (var i = 0UL; i < count; i++)
        {
            var entry = r.ReadNested((int)entrySize, "EFI_PARTITION_ENTRY");
            var type = EfiGuid.Read(ref entry, "EFI_PARTITION_ENTRY.PartitionTypeGUID");
            var unique = EfiGuid.Read(ref entry, "EFI_PARTITION_ENTRY.UniquePartitionGUID");
            var first = entry.ReadUInt64LE("EFI_PARTITION_ENTRY.StartingLBA");
            var last = entry.ReadUInt64LE("EFI_PARTITION_ENTRY.EndingLBA");
            var attributes = entry.ReadUInt64LE("EFI_PARTITION_ENTRY.Attributes");
            var name = Ucs2.Decode(entry.ReadBytes(72, "EFI_PARTITION_ENTRY.PartitionName"));
            partitions.Add(new GptPartition(type, unique, first, last, attributes, name));
        }

        return new GptEventData(disk, partitions);
    }

    private static HandoffTablesEventData Handoff(TcgEvent e, int uintn, bool described)
    {
        // UEFI_HANDOFF_TABLE_POINTERS(2) (PFP 1.06 §10.2.6).
        var r = new TpmReader(e.Data, e.DataOffset);
        string? description = null;
        if (described)
        {
            var size = r.ReadUInt8("UEFI_HANDOFF_TABLE_POINTERS2.TableDescriptionSize");
            description = Ucs2.Ascii(r.ReadBytes(size, "UEFI_HANDOFF_TABLE_POINTERS2.TableDescription"));
        }

        var countOffset = r.Offset;
        var count = described ? r.ReadUInt64LE("UEFI_HANDOFF_TABLE_POINTERS2.NumberOfTables") : ReadUintn(ref r, uintn, "UEFI_HANDOFF_TABLE_POINTERS.NumberOfTables");
        if (count > MaxTables || count * (16UL + 8) > (ulong)r.Remaining)
        {
            throw new TpmFormatException("UEFI_HANDOFF_TABLE_POINTERS.NumberOfTables", countOffset, $"{count} tables do not fit");
        }

        var tables = new List<HandoffTable>((int)count);
        for (var i = 0UL; i < count; i++)
        {
            tables.Add(new HandoffTable(EfiGuid.Read(ref r, "EFI_CONFIGURATION_TABLE.VendorGuid"), r.ReadUInt64LE("EFI_CONFIGURATION_TABLE.VendorTable")));
        }

        return new HandoffTablesEventData(description, tables);
    }

    private static EventTagData Tag(TcgEvent e)
    {
        var r = new TpmReader(e.Data, e.DataOffset);
        var id = r.ReadUInt32LE("TCG_PCClientTaggedEvent.taggedEventID");
        var sizeOffset = r.Offset;
        var size = r.ReadUInt32LE("TCG_PCClientTaggedEvent.taggedEventDataSize");
        if (size > (uint)r.Remaining)
        {
            throw new TpmFormatException("TCG_PCClientTaggedEvent.taggedEventDataSize", sizeOffset, $"{size} bytes do not fit");
        }

        var tagged = r.ReadBytes((int)size, "TCG_PCClientTaggedEvent.taggedEventData").ToArray();
        return new EventTagData(id, tagged, Ucs2.LooksLikeAscii(tagged) ? Ucs2.Ascii(tagged) : null);
    }

    // GRUB (grub-core/commands/tpm.c) logs "grub_cmd: ..." and "kernel_cmdline: ..." in PCR 8 and
    // file paths in PCR 9; systemd-boot and sd-stub log UTF-16 strings (command line, loaded files).
    private static EventData Ipl(byte[] data)
    {
        if (Ucs2.LooksLikeUtf16(data))
        {
            return new IplEventData("text", Ucs2.Utf16(data), "utf-16le");
        }

        if (!Ucs2.LooksLikeAscii(data))
        {
            return new RawEventData(null);
        }

        var text = Ucs2.Ascii(data);
        foreach (var (prefix, kind) in EventDataBinding.GrubPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return new IplEventData(kind, text[prefix.Length..], "ascii");
            }
        }

        return new IplEventData(text.StartsWith('(') || text.StartsWith('/') ? "file" : "text", text, "ascii");
    }

    private static EventData NoAction(TcgEvent e)
    {
        var data = e.Data;
        if (data.AsSpan().StartsWith("Spec ID Event03\0"u8))
        {
            return e.Index == 0 ? new NoActionVendorEventData("Spec ID Event03") : new NoActionVendorEventData("Spec ID Event03 (not first)");
        }

        if (data.Length == 17 && data.AsSpan().StartsWith("StartupLocality\0"u8))
        {
            return new StartupLocalityEventData(data[16]);
        }

        // Other EV_NO_ACTION events start with a 16-byte NUL-padded signature (PFP 1.06 §10.4.5).
        var signature = data.AsSpan(0, Math.Min(16, data.Length));
        return Ucs2.LooksLikeAscii(signature) ? new NoActionVendorEventData(Ucs2.Ascii(signature)) : new RawEventData(null);
    }

    private static ulong ReadUintn(ref TpmReader r, int uintn, string field) => uintn == 4 ? r.ReadUInt32LE(field) : r.ReadUInt64LE(field);
}
