namespace Attest.Tpm.EventLog;

/// <summary>
/// Event types of the TCG PC Client Platform Firmware Profile (PFP 1.06 §10.4.1, Table 9) and the
/// UEFI-specific types (§10.4.2, EV_EFI_EVENT_BASE = 0x80000000). Values not listed stay
/// representable as the raw number: unknown types are kept and shown, never fatal.
/// </summary>
#pragma warning disable CA1028 // The wire type of an event type is UINT32.
#pragma warning disable CA1008 // 0 is EV_PREBOOT_CERT on the wire, not "none".
public enum TcgEventType : uint
#pragma warning restore CA1008
#pragma warning restore CA1028
{
    PrebootCert = 0x0,
    PostCode = 0x1,
    Unused = 0x2,
    NoAction = 0x3,
    Separator = 0x4,
    Action = 0x5,
    EventTag = 0x6,
    SCrtmContents = 0x7,
    SCrtmVersion = 0x8,
    CpuMicrocode = 0x9,
    PlatformConfigFlags = 0xA,
    TableOfDevices = 0xB,
    CompactHash = 0xC,
    Ipl = 0xD,
    IplPartitionData = 0xE,
    NonhostCode = 0xF,
    NonhostConfig = 0x10,
    NonhostInfo = 0x11,
    OmitBootDeviceEvents = 0x12,
    PostCode2 = 0x13,

    EfiVariableDriverConfig = 0x80000001,
    EfiVariableBoot = 0x80000002,
    EfiBootServicesApplication = 0x80000003,
    EfiBootServicesDriver = 0x80000004,
    EfiRuntimeServicesDriver = 0x80000005,
    EfiGptEvent = 0x80000006,
    EfiAction = 0x80000007,
    EfiPlatformFirmwareBlob = 0x80000008,
    EfiHandoffTables = 0x80000009,
    EfiPlatformFirmwareBlob2 = 0x8000000A,
    EfiHandoffTables2 = 0x8000000B,
    EfiVariableBoot2 = 0x8000000C,
    EfiGptEvent2 = 0x8000000D,
    EfiHcrtmEvent = 0x80000010,
    EfiVariableAuthority = 0x800000E0,
    EfiSpdmFirmwareBlob = 0x800000E1,
    EfiSpdmFirmwareConfig = 0x800000E2,
    EfiSpdmDevicePolicy = 0x800000E3,
    EfiSpdmDeviceAuthority = 0x800000E4,
}

public static class TcgEventTypeNames
{
    /// <summary>The spec's name (EV_EFI_ACTION, ...) as tpm2_eventlog prints it, or 0xNNNNNNNN when unknown.</summary>
    public static string Name(this TcgEventType type) => type switch
    {
        TcgEventType.PrebootCert => "EV_PREBOOT_CERT",
        TcgEventType.PostCode => "EV_POST_CODE",
        TcgEventType.Unused => "EV_UNUSED",
        TcgEventType.NoAction => "EV_NO_ACTION",
        TcgEventType.Separator => "EV_SEPARATOR",
        TcgEventType.Action => "EV_ACTION",
        TcgEventType.EventTag => "EV_EVENT_TAG",
        TcgEventType.SCrtmContents => "EV_S_CRTM_CONTENTS",
        TcgEventType.SCrtmVersion => "EV_S_CRTM_VERSION",
        TcgEventType.CpuMicrocode => "EV_CPU_MICROCODE",
        TcgEventType.PlatformConfigFlags => "EV_PLATFORM_CONFIG_FLAGS",
        TcgEventType.TableOfDevices => "EV_TABLE_OF_DEVICES",
        TcgEventType.CompactHash => "EV_COMPACT_HASH",
        TcgEventType.Ipl => "EV_IPL",
        TcgEventType.IplPartitionData => "EV_IPL_PARTITION_DATA",
        TcgEventType.NonhostCode => "EV_NONHOST_CODE",
        TcgEventType.NonhostConfig => "EV_NONHOST_CONFIG",
        TcgEventType.NonhostInfo => "EV_NONHOST_INFO",
        TcgEventType.OmitBootDeviceEvents => "EV_OMIT_BOOT_DEVICE_EVENTS",
        TcgEventType.PostCode2 => "EV_POST_CODE2",
        TcgEventType.EfiVariableDriverConfig => "EV_EFI_VARIABLE_DRIVER_CONFIG",
        TcgEventType.EfiVariableBoot => "EV_EFI_VARIABLE_BOOT",
        TcgEventType.EfiBootServicesApplication => "EV_EFI_BOOT_SERVICES_APPLICATION",
        TcgEventType.EfiBootServicesDriver => "EV_EFI_BOOT_SERVICES_DRIVER",
        TcgEventType.EfiRuntimeServicesDriver => "EV_EFI_RUNTIME_SERVICES_DRIVER",
        TcgEventType.EfiGptEvent => "EV_EFI_GPT_EVENT",
        TcgEventType.EfiAction => "EV_EFI_ACTION",
        TcgEventType.EfiPlatformFirmwareBlob => "EV_EFI_PLATFORM_FIRMWARE_BLOB",
        TcgEventType.EfiHandoffTables => "EV_EFI_HANDOFF_TABLES",
        TcgEventType.EfiPlatformFirmwareBlob2 => "EV_EFI_PLATFORM_FIRMWARE_BLOB2",
        TcgEventType.EfiHandoffTables2 => "EV_EFI_HANDOFF_TABLES2",
        TcgEventType.EfiVariableBoot2 => "EV_EFI_VARIABLE_BOOT2",
        TcgEventType.EfiGptEvent2 => "EV_EFI_GPT_EVENT2",
        TcgEventType.EfiHcrtmEvent => "EV_EFI_HCRTM_EVENT",
        TcgEventType.EfiVariableAuthority => "EV_EFI_VARIABLE_AUTHORITY",
        TcgEventType.EfiSpdmFirmwareBlob => "EV_EFI_SPDM_FIRMWARE_BLOB",
        TcgEventType.EfiSpdmFirmwareConfig => "EV_EFI_SPDM_FIRMWARE_CONFIG",
        TcgEventType.EfiSpdmDevicePolicy => "EV_EFI_SPDM_DEVICE_POLICY",
        TcgEventType.EfiSpdmDeviceAuthority => "EV_EFI_SPDM_DEVICE_AUTHORITY",
        _ => $"0x{(uint)type:X8}",
    };

    /// <summary>False for values the spec does not define: such events are kept raw and flagged as unusual.</summary>
    public static bool IsKnown(this TcgEventType type) => !type.Name().StartsWith("0x", StringComparison.Ordinal);
}
