namespace Attest.Policies.Evaluation;

/// <summary>
/// The approved-firmware catalog a measured-boot policy may name (<c>firmware.catalog</c>). The firmware-update work
/// (issue 6) supplies the real one; until then only the versions and digests written in the policy count.
/// </summary>
public interface IFirmwareCatalog
{
    /// <summary>The releases of catalog <paramref name="name"/>, or null when there is no such catalog.</summary>
    FirmwareCatalogEntries? Find(string name);
}

/// <summary>What a catalog approves: CRTM version strings and firmware-volume digests (any bank, hex).</summary>
public sealed record FirmwareCatalogEntries(IReadOnlyCollection<string> CrtmVersions, IReadOnlyCollection<string> BlobDigests);
