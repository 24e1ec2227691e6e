using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>EFI_GUIDs the decoders recognise (UEFI 2.10; shim for MOK).</summary>
public static class EfiGuid
{
    public static readonly Guid GlobalVariable = new("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    public static readonly Guid ImageSecurityDatabase = new("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
    public static readonly Guid ShimLock = new("605dab50-e046-4300-abb6-3dd810dd8b23");

    public static readonly Guid CertX509 = new("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    public static readonly Guid CertSha1 = new("826ca512-cf10-4ac9-b187-be01496631bd");
    public static readonly Guid CertSha256 = new("c1c41626-504c-4092-aca9-41f936934328");
    public static readonly Guid CertSha384 = new("ff3e5307-9fd0-48c9-85f1-8ad56c701e01");
    public static readonly Guid CertSha512 = new("093e0fae-a6c4-4f50-9f1b-d41e2b89c19a");
    public static readonly Guid CertRsa2048 = new("3c5766e8-269c-4e34-aa14-ed776e85b3b6");
    public static readonly Guid CertX509Sha256 = new("3bd2a492-96c0-4079-b420-fcf98ef103ed");
    public static readonly Guid CertX509Sha384 = new("7076876e-80c2-4ee6-aad2-28b349a6865b");
    public static readonly Guid CertX509Sha512 = new("446dbf63-2502-4cda-bcfa-2465d2b0fe9d");

    /// <summary>EFI_GUID layout: the first three fields little-endian, then eight bytes (same as .NET's Guid(bytes)).</summary>
    public static Guid Read(ref TpmReader reader, string field) => new(reader.ReadBytes(16, field));

    public static string SignatureTypeName(Guid type) => type switch
    {
        _ when type == CertX509 => "x509",
        _ when type == CertSha256 => "sha256",
        _ when type == CertSha1 => "sha1",
        _ when type == CertSha384 => "sha384",
        _ when type == CertSha512 => "sha512",
        _ when type == CertRsa2048 => "rsa2048",
        _ when type == CertX509Sha256 => "x509_sha256",
        _ when type == CertX509Sha384 => "x509_sha384",
        _ when type == CertX509Sha512 => "x509_sha512",
        _ => type.ToString(),
    };
}
