using System.Text.Json.Serialization;

namespace Attest.Tpm.EventLog.Data;

/// <summary>
/// Decoded event data. Decoding is best-effort and never fatal: data that does not decode is a
/// <see cref="RawEventData"/> with the reason, and the raw bytes always stay on the <see cref="TcgEvent"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "dataKind")]
[JsonDerivedType(typeof(RawEventData), "raw")]
[JsonDerivedType(typeof(TextEventData), "text")]
[JsonDerivedType(typeof(GuidEventData), "guid")]
[JsonDerivedType(typeof(FirmwareBlobEventData), "firmware_blob")]
[JsonDerivedType(typeof(UefiVariableEventData), "uefi_variable")]
[JsonDerivedType(typeof(ImageLoadEventData), "image_load")]
[JsonDerivedType(typeof(GptEventData), "gpt")]
[JsonDerivedType(typeof(SeparatorEventData), "separator")]
[JsonDerivedType(typeof(HandoffTablesEventData), "handoff_tables")]
[JsonDerivedType(typeof(EventTagData), "event_tag")]
[JsonDerivedType(typeof(IplEventData), "ipl")]
[JsonDerivedType(typeof(SpecIdEventData), "spec_id")]
[JsonDerivedType(typeof(StartupLocalityEventData), "startup_locality")]
[JsonDerivedType(typeof(NoActionVendorEventData), "no_action_vendor")]
public abstract record EventData;

/// <summary>Data not decoded: an unknown type, or a known type whose payload is malformed (see <see cref="DecodeError"/>).</summary>
public sealed record RawEventData(string? DecodeError) : EventData;

/// <summary>A string event (EV_EFI_ACTION, EV_S_CRTM_VERSION, EV_POST_CODE, ...).</summary>
/// <param name="Encoding">"ascii" or "utf-16le".</param>
public sealed record TextEventData(string Text, string Encoding) : EventData;

/// <summary>A GUID (some firmware logs the CRTM version as one).</summary>
public sealed record GuidEventData(Guid Guid) : EventData;

/// <summary>UEFI_PLATFORM_FIRMWARE_BLOB(2) (PFP 1.06 §10.2.5): where the measured firmware volume was.</summary>
public sealed record FirmwareBlobEventData(ulong BlobBase, ulong BlobLength, string? Description) : EventData;

/// <summary>EV_SEPARATOR (PFP 1.06 §10.4.1): 0 is the normal end of pre-OS measurements; anything else signals an error.</summary>
public sealed record SeparatorEventData(uint Value) : EventData
{
    public bool IsError => Value != 0;
}

/// <summary>EFI_CONFIGURATION_TABLE entries measured as EV_EFI_HANDOFF_TABLES(2) (PFP 1.06 §10.2.6).</summary>
public sealed record HandoffTablesEventData(string? Description, IReadOnlyList<HandoffTable> Tables) : EventData;

public sealed record HandoffTable(Guid VendorGuid, ulong VendorTable);

/// <summary>TCG_PCClientTaggedEvent (PFP 1.06 §10.4.2.1), e.g. systemd's "Linux initrd" tag.</summary>
public sealed record EventTagData(uint TaggedEventId, [property: JsonConverter(typeof(HexJsonConverter))] byte[] TaggedEventData, string? Text) : EventData;

/// <summary>
/// EV_IPL: what the boot loader measured. <see cref="Kind"/> is grub_cmd, kernel_cmdline, file (GRUB),
/// or text (systemd-boot/UKI UTF-16 strings and anything else).
/// </summary>
public sealed record IplEventData(string Kind, string Text, string Encoding) : EventData;

public sealed record SpecIdEventData(SpecIdEvent SpecId) : EventData;

/// <summary>TCG_EfiStartupLocalityEvent (PFP 1.06 §10.4.5.3).</summary>
public sealed record StartupLocalityEventData(byte Locality) : EventData;

/// <summary>Any other EV_NO_ACTION: the signature text (e.g. "SP800-155 Event", "NvIndexInstance") and the rest raw.</summary>
public sealed record NoActionVendorEventData(string Signature) : EventData;

/// <summary>UEFI_IMAGE_LOAD_EVENT (PFP 1.06 §10.2.3): where an EFI image was loaded from.</summary>
public sealed record ImageLoadEventData(ulong ImageLocationInMemory, ulong ImageLengthInMemory, ulong ImageLinkTimeAddress, string DevicePath) : EventData;

/// <summary>UEFI_GPT_DATA (PFP 1.06 §10.2.4): the GPT header's disk GUID and the partitions in use.</summary>
public sealed record GptEventData(Guid DiskGuid, IReadOnlyList<GptPartition> Partitions) : EventData;

public sealed record GptPartition(Guid PartitionType, Guid UniquePartitionGuid, ulong StartingLba, ulong EndingLba, ulong Attributes, string Name);
