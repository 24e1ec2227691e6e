using System.Text.Json.Serialization;

namespace Attest.Tpm.EventLog.Data;

/// <summary>UEFI_VARIABLE_DATA (PFP 1.06 §10.2.3): a measured UEFI variable, its raw data, and its decoded content.</summary>
/// <param name="ContentError">Set when the variable data did not decode; the raw <see cref="VariableData"/> is still here.</param>
public sealed record UefiVariableEventData(
    Guid VariableName,
    string UnicodeName,
    [property: JsonConverter(typeof(HexJsonConverter))] byte[] VariableData,
    UefiVariableContent? Content,
    string? ContentError) : EventData;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "contentKind")]
[JsonDerivedType(typeof(ByteVariableContent), "byte")]
[JsonDerivedType(typeof(SignatureDatabaseContent), "signature_database")]
[JsonDerivedType(typeof(SignatureDataContent), "signature_data")]
[JsonDerivedType(typeof(BootOrderContent), "boot_order")]
[JsonDerivedType(typeof(LoadOptionContent), "load_option")]
[JsonDerivedType(typeof(TextVariableContent), "text")]
public abstract record UefiVariableContent;

/// <summary>A one-byte variable: SecureBoot, SetupMode, AuditMode, DeployedMode (UEFI 2.10 §3.3).</summary>
public sealed record ByteVariableContent(byte Value) : UefiVariableContent;

/// <summary>PK, KEK, db, dbx, dbt, MokList...: a sequence of EFI_SIGNATURE_LISTs (UEFI 2.10 §32.4.1).</summary>
public sealed record SignatureDatabaseContent(IReadOnlyList<EfiSignatureList> Lists) : UefiVariableContent;

/// <summary>One EFI_SIGNATURE_DATA: what EV_EFI_VARIABLE_AUTHORITY logs as the db entry that allowed an image.</summary>
public sealed record SignatureDataContent(EfiSignature Signature) : UefiVariableContent;

/// <summary>BootOrder: Boot#### numbers in order (UEFI 2.10 §3.1.1).</summary>
public sealed record BootOrderContent(IReadOnlyList<ushort> Order) : UefiVariableContent;

public sealed record LoadOptionContent(EfiLoadOption Option) : UefiVariableContent;

/// <summary>A text variable, e.g. shim's SbatLevel ("sbat,1,2021030218\n"), measured as an authority.</summary>
public sealed record TextVariableContent(string Text) : UefiVariableContent;

public sealed record EfiSignatureList(Guid SignatureType, string TypeName, IReadOnlyList<EfiSignature> Signatures);

/// <summary>
/// One EFI_SIGNATURE_DATA. For X.509 entries the certificate's subject and SHA-256 thumbprint; for
/// hash entries the hash. A certificate that does not parse is kept raw with <see cref="Error"/> set.
/// </summary>
public sealed record EfiSignature(
    Guid Owner,
    string Kind,
    string? Subject,
    string? Issuer,
    string? Sha256Thumbprint,
    string? Hash,
    string? Error,
    [property: JsonIgnore] byte[] Data);

/// <summary>EFI_LOAD_OPTION (UEFI 2.10 §3.1.3): a Boot#### entry.</summary>
public sealed record EfiLoadOption(
    uint Attributes,
    string Description,
    string DevicePath,
    [property: JsonConverter(typeof(HexJsonConverter))] byte[] OptionalData)
{
    /// <summary>LOAD_OPTION_ACTIVE.</summary>
    public bool Active => (Attributes & 0x1) != 0;
}
