using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>EFI_SIGNATURE_LIST / EFI_SIGNATURE_DATA (UEFI 2.10 §32.4.1): PK, KEK, db, dbx, MokList.</summary>
public static class SignatureListDecoder
{
    private const int MaxSignatures = 4096;

    public static IReadOnlyList<EfiSignatureList> DecodeDatabase(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        var reader = new TpmReader(data, baseOffset);
        var lists = new List<EfiSignatureList>();
        var total = 0;
        while (!reader.IsAtEnd)
        {
            var listOffset = reader.Offset;
            var type = EfiGuid.Read(ref reader, "EFI_SIGNATURE_LIST.SignatureType");
            var listSize = reader.ReadUInt32LE("EFI_SIGNATURE_LIST.SignatureListSize");
            var headerSize = reader.ReadUInt32LE("EFI_SIGNATURE_LIST.SignatureHeaderSize");
            var signatureSize = reader.ReadUInt32LE("EFI_SIGNATURE_LIST.SignatureSize");
            const uint fixedSize = 28;
            if (listSize < fixedSize || listSize - fixedSize > (uint)reader.Remaining || headerSize > listSize - fixedSize)
            {
                throw new TpmFormatException("EFI_SIGNATURE_LIST.SignatureListSize", listOffset + 16, $"list size {listSize} / header size {headerSize} do not fit");
            }

            var bodySize = listSize - fixedSize - headerSize;
            if (signatureSize < 16 || bodySize % signatureSize != 0)
            {
                throw new TpmFormatException("EFI_SIGNATURE_LIST.SignatureSize", listOffset + 24, $"signature size {signatureSize} does not divide the list body of {bodySize} bytes");
            }

            reader.Skip((int)headerSize, "EFI_SIGNATURE_LIST.SignatureHeader");
            var signatures = new List<EfiSignature>();
            for (var i = 0; i < bodySize / signatureSize; i++)
            {
                if (++total > MaxSignatures)
                {
                    throw reader.Fail("EFI_SIGNATURE_LIST", $"more than {MaxSignatures} signatures");
                }

                var owner = EfiGuid.Read(ref reader, "EFI_SIGNATURE_DATA.SignatureOwner");
                signatures.Add(Signature(type, owner, reader.ReadBytes((int)signatureSize - 16, "EFI_SIGNATURE_DATA.SignatureData")));
            }

            lists.Add(new EfiSignatureList(type, EfiGuid.SignatureTypeName(type), signatures));
        }

        return lists;
    }

    /// <summary>
    /// The EFI_SIGNATURE_DATA that EV_EFI_VARIABLE_AUTHORITY logs (PFP 1.06 §10.4.4: the db entry used).
    /// shim logs its built-in vendor certificate as bare DER instead, so a DER SEQUENCE is taken as is.
    /// </summary>
    public static EfiSignature DecodeAuthority(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        if (data.Length >= 4 && data[0] == 0x30 && data[1] == 0x82)
        {
            return Signature(EfiGuid.CertX509, Guid.Empty, data);
        }

        var reader = new TpmReader(data, baseOffset);
        var owner = EfiGuid.Read(ref reader, "EFI_SIGNATURE_DATA.SignatureOwner");
        var rest = reader.Rest;
        var type = rest.Length == 32 ? EfiGuid.CertSha256 : EfiGuid.CertX509;
        return Signature(type, owner, rest);
    }

    private static EfiSignature Signature(Guid type, Guid owner, ReadOnlySpan<byte> data)
    {
        var kind = EfiGuid.SignatureTypeName(type);
        var bytes = data.ToArray();
        if (type != EfiGuid.CertX509)
        {
            return new EfiSignature(owner, kind, null, null, null, Convert.ToHexStringLower(bytes), null, bytes);
        }

        var thumbprint = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var (subject, issuer, error) = Names(thumbprint, bytes);
        return new EfiSignature(owner, kind, subject, issuer, thumbprint, null, error, bytes);
    }

    // The same few vendor certificates (Microsoft, distribution CAs) are in nearly every log, and
    // parsing X.509 costs far more than the rest of a log: remember names by thumbprint, bounded.
    private const int MaxCachedCertificates = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string?, string?, string?)> NameCache = new(StringComparer.Ordinal);

    private static (string? Subject, string? Issuer, string? Error) Names(string thumbprint, byte[] der)
    {
        if (NameCache.TryGetValue(thumbprint, out var cached))
        {
            return cached;
        }

        (string?, string?, string?) names;
        try
        {
            using var cert = X509CertificateLoader.LoadCertificate(der);
            names = (cert.Subject, cert.Issuer, null);
        }
        catch (CryptographicException ex)
        {
            // A certificate OpenSSL cannot parse is still a db entry the firmware trusts: keep it, say why.
            names = (null, null, $"certificate does not parse: {ex.Message}");
        }

        if (NameCache.Count >= MaxCachedCertificates)
        {
            NameCache.Clear();
        }

        NameCache[thumbprint] = names;
        return names;
    }
}
