using System.Buffers.Binary;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>
/// Writes crypto-agile TCG event logs (TCG PC Client PFP 1.06 §10.2.2) with chosen events, for tests and
/// simulated boots: extend a TPM (e.g. swtpm) with <see cref="Events"/>' digests, quote, and the log
/// written here must replay to the quote. Independent of the parser under test: it only writes bytes
/// and computes the PCR values a TPM would hold (<see cref="ExpectedPcrs"/>).
/// </summary>
public sealed class EventLogWriter
{
    private readonly List<WrittenEvent> _events = [];
    private readonly Dictionary<TpmAlgId, ushort> _headerSizeOverrides = [];
    private byte _startupLocality;

    /// <param name="banks">The banks the log carries; SHA-1 and SHA-256 when none are given.</param>
    public EventLogWriter(params TpmAlgId[] banks)
    {
        Banks = banks.Length == 0 ? [TpmAlgId.Sha1, TpmAlgId.Sha256] : banks;
    }

    public IReadOnlyList<TpmAlgId> Banks { get; }

    /// <summary>The events in log order (without the Spec ID header), with the digests to extend.</summary>
    public IReadOnlyList<WrittenEvent> Events => _events;

    /// <summary>An event: PCR, type, per-bank digests, raw data. Extended unless it is EV_NO_ACTION.</summary>
    public sealed record WrittenEvent(uint Pcr, TcgEventType Type, IReadOnlyDictionary<TpmAlgId, byte[]> Digests, byte[] Data);

    /// <summary>Adds a StartupLocality EV_NO_ACTION event (PFP 1.06 §10.4.5.3): PCR 0 starts at this locality.</summary>
    public EventLogWriter StartupLocality(byte locality)
    {
        _startupLocality = locality;
        var data = new byte[17];
        "StartupLocality\0"u8.CopyTo(data);
        data[16] = locality;
        return AddWithDigests(0, TcgEventType.NoAction, data, Banks.ToDictionary(b => b, b => new byte[TpmHash.DigestSize(b)]));
    }

    /// <summary>Adds an event whose digests are the hash of its data (separators, actions, variables...).</summary>
    public EventLogWriter Add(uint pcr, TcgEventType type, byte[] data) => AddMeasuring(pcr, type, data, data);

    /// <summary>Adds an event whose digests are the hash of <paramref name="measured"/> (an image, a blob) and whose data describes it.</summary>
    public EventLogWriter AddMeasuring(uint pcr, TcgEventType type, byte[] data, byte[] measured) =>
        AddWithDigests(pcr, type, data, Banks.ToDictionary(b => b, b => TpmHash.Compute(b, measured)));

    /// <summary>Adds an event with exactly these digests (any subset of banks, any sizes: for malformed logs).</summary>
    public EventLogWriter AddWithDigests(uint pcr, TcgEventType type, byte[] data, IReadOnlyDictionary<TpmAlgId, byte[]> digests)
    {
        _events.Add(new WrittenEvent(pcr, type, digests, data));
        return this;
    }

    /// <summary>Replaces event <paramref name="index"/> (0 = first event after the header).</summary>
    public EventLogWriter Replace(int index, WrittenEvent e)
    {
        _events[index] = e;
        return this;
    }

    public EventLogWriter Insert(int index, WrittenEvent e)
    {
        _events.Insert(index, e);
        return this;
    }

    public EventLogWriter RemoveAt(int index)
    {
        _events.RemoveAt(index);
        return this;
    }

    /// <summary>Makes the Spec ID header declare <paramref name="size"/> for <paramref name="bank"/> (a lying header).</summary>
    public EventLogWriter HeaderDigestSize(TpmAlgId bank, ushort size)
    {
        _headerSizeOverrides[bank] = size;
        return this;
    }

    public EventLogWriter Clone()
    {
        var copy = new EventLogWriter([.. Banks]) { _startupLocality = _startupLocality };
        copy._events.AddRange(_events);
        foreach (var (k, v) in _headerSizeOverrides)
        {
            copy._headerSizeOverrides[k] = v;
        }

        return copy;
    }

    public byte[] ToArray()
    {
        var output = new MemoryStream();
        WriteSpecIdHeader(output);
        foreach (var e in _events)
        {
            U32(output, e.Pcr);
            U32(output, (uint)e.Type);
            U32(output, (uint)e.Digests.Count);
            foreach (var (alg, digest) in e.Digests)
            {
                U16(output, (ushort)alg);
                output.Write(digest);
            }

            U32(output, (uint)e.Data.Length);
            output.Write(e.Data);
        }

        return output.ToArray();
    }

    /// <summary>The PCR values a TPM holds after extending these events: bank → PCR → value, for PCRs with events.</summary>
    public Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> ExpectedPcrs()
    {
        var result = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var bank in Banks)
        {
            var pcrs = new SortedDictionary<int, byte[]>();
            foreach (var e in _events.Where(e => e.Type != TcgEventType.NoAction))
            {
                var pcr = (int)e.Pcr;
                if (!pcrs.TryGetValue(pcr, out var value))
                {
                    value = new byte[TpmHash.DigestSize(bank)];
                    if (pcr == 0)
                    {
                        value[^1] = _startupLocality;
                    }
                    else if (pcr is >= 17 and <= 22)
                    {
                        Array.Fill(value, (byte)0xFF);
                    }

                    pcrs[pcr] = value;
                }

                // TPM 2.0 Part 1 §17.2: new = H(old || digest).
                pcrs[pcr] = TpmHash.Compute(bank, [.. value, .. e.Digests[bank]]);
            }

            result[bank] = pcrs;
        }

        return result;
    }

    // TCG_PCClientPCREvent carrying TCG_EfiSpecIDEventStruct (PFP 1.06 §10.4.5.1).
    private void WriteSpecIdHeader(MemoryStream output)
    {
        var spec = new MemoryStream();
        spec.Write("Spec ID Event03\0"u8);
        U32(spec, 0); // platformClass: client
        spec.WriteByte(0); // specVersionMinor
        spec.WriteByte(2); // specVersionMajor
        spec.WriteByte(0); // specErrata
        spec.WriteByte(2); // uintnSize: 64-bit
        U32(spec, (uint)Banks.Count);
        foreach (var bank in Banks)
        {
            U16(spec, (ushort)bank);
            U16(spec, _headerSizeOverrides.TryGetValue(bank, out var size) ? size : (ushort)TpmHash.DigestSize(bank));
        }

        spec.WriteByte(0); // vendorInfoSize
        U32(output, 0);
        U32(output, (uint)TcgEventType.NoAction);
        output.Write(new byte[20]);
        U32(output, (uint)spec.Length);
        output.Write(spec.ToArray());
    }

    private static void U16(Stream s, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void U32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    // Event data builders, in the layouts the PFP defines.

    /// <summary>EV_SEPARATOR data: 0 normally, 1 or 0xFFFFFFFF on error.</summary>
    public static byte[] Separator(uint value = 0)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }

    /// <summary>EV_EFI_ACTION data: ASCII, no terminator.</summary>
    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>UTF-16LE with a terminating NUL (systemd-boot's EV_IPL strings).</summary>
    public static byte[] Utf16(string text) => Encoding.Unicode.GetBytes(text + "\0");

    /// <summary>UEFI_VARIABLE_DATA (PFP 1.06 §10.2.3).</summary>
    public static byte[] UefiVariable(Guid vendor, string name, byte[] data)
    {
        var s = new MemoryStream();
        s.Write(vendor.ToByteArray());
        var n = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)name.Length);
        s.Write(n);
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)data.Length);
        s.Write(n);
        s.Write(Encoding.Unicode.GetBytes(name));
        s.Write(data);
        return s.ToArray();
    }

    /// <summary>EFI_SIGNATURE_LIST of one type with entries of equal size (UEFI 2.10 §32.4.1).</summary>
    public static byte[] SignatureList(Guid type, Guid owner, params byte[][] entries)
    {
        var size = 16 + (entries.Length == 0 ? 0 : entries[0].Length);
        var s = new MemoryStream();
        s.Write(type.ToByteArray());
        U32(s, (uint)(28 + (entries.Length * size)));
        U32(s, 0);
        U32(s, (uint)size);
        foreach (var entry in entries)
        {
            s.Write(owner.ToByteArray());
            s.Write(entry);
        }

        return s.ToArray();
    }

    /// <summary>UEFI_IMAGE_LOAD_EVENT with a 64-bit UINTN (PFP 1.06 §10.2.3).</summary>
    public static byte[] ImageLoad(ulong location, ulong length, byte[] devicePath)
    {
        var s = new MemoryStream();
        var n = new byte[8];
        foreach (var v in new[] { location, length, 0UL, (ulong)devicePath.Length })
        {
            BinaryPrimitives.WriteUInt64LittleEndian(n, v);
            s.Write(n);
        }

        s.Write(devicePath);
        return s.ToArray();
    }

    /// <summary>A device path of one file-path media node and the end node (UEFI 2.10 §10.3.5.4).</summary>
    public static byte[] FilePath(string path)
    {
        var name = Utf16(path);
        var s = new MemoryStream();
        s.WriteByte(4);
        s.WriteByte(4);
        U16(s, (ushort)(4 + name.Length));
        s.Write(name);
        s.Write([0x7F, 0xFF, 4, 0]);
        return s.ToArray();
    }

    /// <summary>UEFI_PLATFORM_FIRMWARE_BLOB (PFP 1.06 §10.2.5).</summary>
    public static byte[] FirmwareBlob(ulong blobBase, ulong length)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, blobBase);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), length);
        return b;
    }

    /// <summary>
    /// A typical Secure Boot UEFI boot with shim, GRUB and a kernel: CRTM version, a firmware blob,
    /// SecureBoot/PK/KEK/db/dbx, separators on PCR 0-7, boot variables, images with an authority,
    /// GRUB's command line and initrd. <paramref name="dbCertificate"/> is the DER of db's certificate.
    /// </summary>
    public static EventLogWriter TypicalUefiBoot(byte[] dbCertificate, params TpmAlgId[] banks)
    {
        ArgumentNullException.ThrowIfNull(dbCertificate);
        var global = new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c");
        var security = new Guid("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
        var x509 = new Guid("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
        var sha256 = new Guid("c1c41626-504c-4092-aca9-41f936934328");
        var owner = new Guid("77fa9abd-0359-4d32-bd60-28f4e78f784b");
        var w = new EventLogWriter(banks);
        w.StartupLocality(0);
        w.Add(0, TcgEventType.SCrtmVersion, Utf16("1.2.3"));
        w.AddMeasuring(0, TcgEventType.EfiPlatformFirmwareBlob, FirmwareBlob(0xFF000000, 0x100000), Ascii("firmware volume"));
        w.Add(7, TcgEventType.EfiVariableDriverConfig, UefiVariable(global, "SecureBoot", [1]));
        w.Add(7, TcgEventType.EfiVariableDriverConfig, UefiVariable(global, "PK", SignatureList(x509, owner, dbCertificate)));
        w.Add(7, TcgEventType.EfiVariableDriverConfig, UefiVariable(global, "KEK", SignatureList(x509, owner, dbCertificate)));
        w.Add(7, TcgEventType.EfiVariableDriverConfig, UefiVariable(security, "db", SignatureList(x509, owner, dbCertificate)));
        w.Add(7, TcgEventType.EfiVariableDriverConfig, UefiVariable(security, "dbx", SignatureList(sha256, owner, new byte[32], Enumerable.Repeat((byte)0xAB, 32).ToArray())));
        w.Add(1, TcgEventType.EfiVariableBoot, UefiVariable(global, "BootOrder", [1, 0]));
        for (uint pcr = 0; pcr <= 7; pcr++)
        {
            w.Add(pcr, TcgEventType.Separator, Separator());
        }

        w.Add(4, TcgEventType.EfiAction, Ascii("Calling EFI Application from Boot Option"));
        w.Add(7, TcgEventType.EfiVariableAuthority, UefiVariable(security, "db", [.. owner.ToByteArray(), .. dbCertificate]));
        w.AddMeasuring(4, TcgEventType.EfiBootServicesApplication, ImageLoad(0x1000, 0x2000, FilePath("\\EFI\\BOOT\\SHIMX64.EFI")), Ascii("shim image"));
        w.AddMeasuring(4, TcgEventType.EfiBootServicesApplication, ImageLoad(0x3000, 0x2000, FilePath("\\EFI\\debian\\grubx64.efi")), Ascii("grub image"));
        w.AddMeasuring(8, TcgEventType.Ipl, Ascii("grub_cmd: linux /vmlinuz root=/dev/sda1 ro\0"), Ascii("linux /vmlinuz root=/dev/sda1 ro"));
        w.AddMeasuring(9, TcgEventType.Ipl, Ascii("/boot/initrd.img-6.1.0\0"), Ascii("initrd content"));
        w.AddMeasuring(4, TcgEventType.EfiBootServicesApplication, ImageLoad(0x5000, 0x9000, FilePath("\\vmlinuz-6.1.0")), Ascii("kernel image"));
        w.AddMeasuring(8, TcgEventType.Ipl, Ascii("kernel_cmdline: /vmlinuz root=/dev/sda1 ro\0"), Ascii("/vmlinuz root=/dev/sda1 ro"));
        return w;
    }
}
