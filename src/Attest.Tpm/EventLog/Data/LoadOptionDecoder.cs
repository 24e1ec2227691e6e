using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog.Data;

/// <summary>EFI_LOAD_OPTION (UEFI 2.10 §3.1.3).</summary>
public static class LoadOptionDecoder
{
    public static EfiLoadOption Decode(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        var reader = new TpmReader(data, baseOffset);
        var attributes = reader.ReadUInt32LE("EFI_LOAD_OPTION.Attributes");
        var pathLength = reader.ReadUInt16LE("EFI_LOAD_OPTION.FilePathListLength");
        var description = Ucs2.ReadTerminated(ref reader, "EFI_LOAD_OPTION.Description");
        var pathOffset = reader.Offset;
        var path = reader.ReadBytes(pathLength, "EFI_LOAD_OPTION.FilePathList");
        var optional = reader.Rest.ToArray();
        return new EfiLoadOption(attributes, description, DevicePathText.Decode(path, pathOffset), optional);
    }
}
