using System.Globalization;
using System.Text;
using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>
/// Renders an EFI_DEVICE_PATH_PROTOCOL as text in the UEFI 2.10 §10.6 notation
/// (<c>PciRoot(0x0)/Pci(0x1,0x1)/HD(1,GPT,&lt;guid&gt;,0x800,0x100000)/\EFI\BOOT\BOOTX64.EFI</c>)
/// for the node types boot chains use; other nodes as the generic <c>Path(type,subtype,hex)</c>.
/// Malformed nodes throw <see cref="TpmFormatException"/>; callers keep the event raw.
/// </summary>
public static class DevicePathText
{
    private const int MaxNodes = 256;

    public static string Decode(ReadOnlySpan<byte> path, int baseOffset = 0)
    {
        var reader = new TpmReader(path, baseOffset);
        var text = new StringBuilder();
        var separator = "";
        for (var n = 0; !reader.IsAtEnd; n++)
        {
            if (n >= MaxNodes)
            {
                throw reader.Fail("EFI_DEVICE_PATH", $"more than {MaxNodes} nodes");
            }

            var type = reader.ReadUInt8("EFI_DEVICE_PATH.Type");
            var subType = reader.ReadUInt8("EFI_DEVICE_PATH.SubType");
            var lengthOffset = reader.Offset;
            var length = reader.ReadUInt16LE("EFI_DEVICE_PATH.Length");
            if (length < 4)
            {
                throw new TpmFormatException("EFI_DEVICE_PATH.Length", lengthOffset, $"node length {length} is less than its 4-byte header");
            }

            var nodeOffset = reader.Offset;
            var body = reader.ReadBytes(length - 4, "EFI_DEVICE_PATH.Data");
            if (type == 0x7F)
            {
                // End of hardware device path: 0xFF ends the whole path, 0x01 ends one instance.
                if (subType == 0xFF)
                {
                    break;
                }

                separator = ",";
                continue;
            }

            text.Append(separator).Append(Node(type, subType, body, nodeOffset));
            separator = "/";
        }

        return text.ToString();
    }

    private static string Node(byte type, byte subType, ReadOnlySpan<byte> body, int offset)
    {
        var r = new TpmReader(body, offset);
        return (type, subType) switch
        {
            (1, 1) when body.Length >= 2 => Pci(ref r),
            (1, 4) when body.Length >= 16 => $"VenHw({EfiGuid.Read(ref r, "VENDOR.Guid")}{HexSuffix(r.Rest)})",
            (1, 5) when body.Length >= 4 => F("Ctrl(0x{0:X})", r.ReadUInt32LE("CONTROLLER.Number")),
            (2, 1) when body.Length >= 8 => Acpi(ref r),
            (3, 1) when body.Length >= 4 => F("Ata({0},{1},{2})", r.ReadUInt8("ATAPI.Primary") == 0 ? "Primary" : "Secondary", r.ReadUInt8("ATAPI.Slave") == 0 ? "Master" : "Slave", r.ReadUInt16LE("ATAPI.Lun")),
            (3, 2) when body.Length >= 4 => F("Scsi(0x{0:X},0x{1:X})", r.ReadUInt16LE("SCSI.Pun"), r.ReadUInt16LE("SCSI.Lun")),
            (3, 5) when body.Length >= 2 => F("USB(0x{0:X},0x{1:X})", r.ReadUInt8("USB.Port"), r.ReadUInt8("USB.Interface")),
            (3, 10) when body.Length >= 16 => $"VenMsg({EfiGuid.Read(ref r, "VENDOR.Guid")}{HexSuffix(r.Rest)})",
            (3, 11) when body.Length >= 33 => F("MAC({0},0x{1:X})", Convert.ToHexStringLower(body[..6]), body[32]),
            (3, 12) when body.Length >= 8 => F("IPv4({0})", string.Join('.', body[4..8].ToArray())),
            (3, 18) when body.Length >= 6 => F("Sata({0},{1},{2})", r.ReadUInt16LE("SATA.HBAPort"), r.ReadUInt16LE("SATA.PortMultiplierPort"), r.ReadUInt16LE("SATA.Lun")),
            (3, 23) when body.Length >= 12 => F("NVMe(0x{0:X},{1})", r.ReadUInt32LE("NVME.NamespaceId"), string.Join('-', body[4..12].ToArray().Select(b => b.ToString("X2", CultureInfo.InvariantCulture)))),
            (3, 24) => $"Uri({Encoding.ASCII.GetString(body)})",
            (4, 1) when body.Length >= 38 => HardDrive(ref r),
            (4, 2) when body.Length >= 20 => F("CDROM(0x{0:X},0x{1:X},0x{2:X})", r.ReadUInt32LE("CDROM.Entry"), r.ReadUInt64LE("CDROM.Start"), r.ReadUInt64LE("CDROM.Size")),
            (4, 3) when body.Length >= 16 => $"VenMedia({EfiGuid.Read(ref r, "VENDOR.Guid")}{HexSuffix(r.Rest)})",
            (4, 4) => Ucs2.Decode(body),
            (4, 6) when body.Length >= 16 => $"FvFile({EfiGuid.Read(ref r, "PIWG_FIRMWARE_FILE.Guid")})",
            (4, 7) when body.Length >= 16 => $"Fv({EfiGuid.Read(ref r, "PIWG_FIRMWARE_VOLUME.Guid")})",
            (4, 8) when body.Length >= 20 => RelativeOffset(ref r),
            (5, 1) when body.Length >= 4 => F("BBS(0x{0:X},{1})", r.ReadUInt16LE("BBS.DeviceType"), Ucs2.Ascii(body[4..])),
            _ => F("Path({0},{1},{2})", type, subType, Convert.ToHexStringLower(body)),
        };
    }

    private static string Pci(ref TpmReader r)
    {
        var function = r.ReadUInt8("PCI.Function");
        var device = r.ReadUInt8("PCI.Device");
        return F("Pci(0x{0:X},0x{1:X})", device, function);
    }

    private static string Acpi(ref TpmReader r)
    {
        var hid = r.ReadUInt32LE("ACPI.HID");
        var uid = r.ReadUInt32LE("ACPI.UID");

        // Compressed EISA id: vendor "PNP" is 0x41D0 in the low word (UEFI 2.10 §10.3.3).
        if ((hid & 0xFFFF) == 0x41D0)
        {
            var pnp = hid >> 16;
            return pnp switch
            {
                0x0A03 => F("PciRoot(0x{0:X})", uid),
                0x0A08 => F("PcieRoot(0x{0:X})", uid),
                _ => F("Acpi(PNP{0:X4},0x{1:X})", pnp, uid),
            };
        }

        return F("Acpi(0x{0:X8},0x{1:X})", hid, uid);
    }

    private static string HardDrive(ref TpmReader r)
    {
        var number = r.ReadUInt32LE("HARDDRIVE.PartitionNumber");
        var start = r.ReadUInt64LE("HARDDRIVE.PartitionStart");
        var size = r.ReadUInt64LE("HARDDRIVE.PartitionSize");
        var signature = r.ReadBytes(16, "HARDDRIVE.Signature");
        _ = r.ReadUInt8("HARDDRIVE.MBRType");
        var signatureType = r.ReadUInt8("HARDDRIVE.SignatureType");
        return signatureType switch
        {
            2 => F("HD({0},GPT,{1},0x{2:X},0x{3:X})", number, new Guid(signature), start, size),
            1 => F("HD({0},MBR,0x{1:X8},0x{2:X},0x{3:X})", number, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(signature), start, size),
            _ => F("HD({0},{1},0,0x{2:X},0x{3:X})", number, signatureType, start, size),
        };
    }

    private static string RelativeOffset(ref TpmReader r)
    {
        r.Skip(4, "OFFSET.Reserved");
        return F("Offset(0x{0:X},0x{1:X})", r.ReadUInt64LE("OFFSET.Start"), r.ReadUInt64LE("OFFSET.End"));
    }

    private static string HexSuffix(ReadOnlySpan<byte> rest) => rest.IsEmpty ? "" : "," + Convert.ToHexStringLower(rest);

    private static string F(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
