namespace Attest.Verifier.Firmware;

/// <summary>
/// Which measurements belong to which firmware component (TCG PC Client PFP: PCR 0 holds the CRTM and platform
/// firmware, PCR 1 platform configuration, PCR 2 option ROMs / UEFI drivers). A change window names components;
/// differences in anything else are never a firmware update.
/// </summary>
public static class FirmwareComponents
{
    public const string SystemFirmware = "system-firmware";
    public const string FirmwareConfig = "firmware-config";
    public const string OptionRoms = "option-roms";

    public static readonly IReadOnlyList<string> All = [SystemFirmware, FirmwareConfig, OptionRoms];

    /// <summary>The component a PCR belongs to, or null when the PCR is not firmware's.</summary>
    public static string? OfPcr(int pcr) => pcr switch
    {
        0 => SystemFirmware,
        1 => FirmwareConfig,
        2 or 3 => OptionRoms,
        _ => null,
    };

    /// <summary>The component a measured-state key (Baselines/MeasuredState) belongs to, or null.</summary>
    public static string? OfFact(string path) => path switch
    {
        "firmware.crtmVersions" or "firmware.blobs" => SystemFirmware,
        "boot.drivers" => OptionRoms,
        _ => null,
    };
}
