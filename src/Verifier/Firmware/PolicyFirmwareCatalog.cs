using Attest.Policies.Evaluation;

namespace Attest.Verifier.Firmware;

/// <summary>
/// Lets a measured-boot policy's <c>firmware: { catalog: NAME }</c> rule use the same approved-firmware catalog as
/// firmware re-measurement: one list of what the vendor shipped, two uses.
/// </summary>
internal sealed class PolicyFirmwareCatalog(FirmwareCatalog catalog) : IFirmwareCatalog
{
    public FirmwareCatalogEntries? Find(string name)
    {
        var document = catalog.Documents.LastOrDefault(d => d.Name == name);
        if (document is null)
        {
            return null;
        }

        var firmware = document.Releases.Where(r => r.Component == FirmwareComponents.SystemFirmware).ToArray();
        return new FirmwareCatalogEntries(
            firmware.Select(r => r.CrtmVersion).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
            firmware.SelectMany(r => r.Digests.Values.SelectMany(d => d)).Select(d => d.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray());
    }
}
