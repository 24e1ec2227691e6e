using System.Globalization;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// The TPM named by an EK certificate: the TCG EK Credential Profile for TPM 2.0 ("Subject Alternative Name") puts tcg-at-tpmManufacturer
/// (2.23.133.2.1), tcg-at-tpmModel (2.23.133.2.2) and tcg-at-tpmVersion (2.23.133.2.3) in a directoryName of the
/// subjectAltName (the subject itself is empty, hence the SAN is critical). Values are kept as written, e.g.
/// manufacturer <c>id:49465800</c>; <see cref="VendorId"/> decodes that to the TPM_PT_MANUFACTURER text ("IFX").
/// </summary>
public sealed record TpmDeviceIdentity(string? Manufacturer, string? Model, string? Version)
{
    internal static readonly DerObjectIdentifier TpmManufacturer = new("2.23.133.2.1");
    internal static readonly DerObjectIdentifier TpmModel = new("2.23.133.2.2");
    internal static readonly DerObjectIdentifier TpmVersion = new("2.23.133.2.3");

    /// <summary>The four-character vendor id of a manufacturer written as <c>id:XXXXXXXX</c> (TCG Vendor ID Registry).</summary>
    public string? VendorId
    {
        get
        {
            if (Manufacturer is not { Length: 11 } m || !m.StartsWith("id:", StringComparison.OrdinalIgnoreCase)
                || !uint.TryParse(m.AsSpan(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id))
            {
                return null;
            }

            Span<char> text = stackalloc char[4];
            var length = 0;
            for (var shift = 24; shift >= 0; shift -= 8)
            {
                var c = (char)((id >> shift) & 0xFF);
                if (c == 0)
                {
                    continue;
                }

                if (c is < ' ' or > '~')
                {
                    return null;
                }

                text[length++] = c;
            }

            return new string(text[..length]).Trim();
        }
    }

    /// <summary>Reads the TCG attributes from any directoryName in the SAN; null when there is none.</summary>
    internal static TpmDeviceIdentity? FromCertificate(BcCertificate certificate, out string? problem)
    {
        problem = null;
        try
        {
            var extension = certificate.GetExtensionValue(X509Extensions.SubjectAlternativeName);
            if (extension is null)
            {
                return null;
            }

            string? manufacturer = null, model = null, version = null;
            foreach (var name in GeneralNames.GetInstance(Asn1Object.FromByteArray(extension.GetOctets())).GetNames())
            {
                if (name.TagNo != GeneralName.DirectoryName)
                {
                    continue;
                }

                var directory = X509Name.GetInstance(name.Name);
                manufacturer ??= First(directory, TpmManufacturer);
                model ??= First(directory, TpmModel);
                version ??= First(directory, TpmVersion);
            }

            return manufacturer is null && model is null && version is null ? null : new TpmDeviceIdentity(manufacturer, model, version);
        }
#pragma warning disable CA1031 // a SAN we cannot read costs the node record its TPM details, not the enrollment
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            problem = $"subjectAltName could not be read for the TPM manufacturer/model/version: {ex.Message}";
            return null;
        }
    }

    private static string? First(X509Name name, DerObjectIdentifier oid)
    {
        var values = name.GetValueList(oid);
        return values.Count > 0 ? values[0] : null;
    }
}
