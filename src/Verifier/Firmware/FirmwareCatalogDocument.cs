namespace Attest.Verifier.Firmware;

/// <summary>
/// A firmware catalog as security teams write it (YAML or JSON; <c>policies/firmware/*.yaml</c>): the releases a
/// vendor published, with the measurements each produces. See docs/firmware-updates.md.
/// </summary>
public sealed class FirmwareCatalogDocument
{
    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public List<FirmwareRelease> Releases { get; set; } = [];
}

/// <summary>One vendor release of one component.</summary>
public sealed class FirmwareRelease
{
    /// <summary><c>system-firmware</c>, <c>firmware-config</c> or <c>option-roms</c> (see <see cref="FirmwareComponents"/>).</summary>
    public string Component { get; set; } = "";

    public string? Vendor { get; set; }

    /// <summary>Platforms/models the release is for (informational; matching is by measurement).</summary>
    public List<string> Platforms { get; set; } = [];

    public string Version { get; set; } = "";

    public string? ReleaseDate { get; set; }

    /// <summary>May a node go back to this release from a newer one (rollback protection is the default).</summary>
    public bool AllowReinstall { get; set; }

    /// <summary>The EV_S_CRTM_VERSION string the release measures (system firmware).</summary>
    public string? CrtmVersion { get; set; }

    /// <summary>Digests of the firmware blobs / option ROMs it measures, per bank (all must be present).</summary>
    public Dictionary<string, List<string>> Digests { get; set; } = [];

    /// <summary>PCR values the release produces on a reference configuration, per bank (optional; all must equal).</summary>
    public Dictionary<string, Dictionary<string, string>> Pcrs { get; set; } = [];
}
