using Attest.Tpm.EventLog.Data;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Tests.EventLog;

public class DevicePathTextTests
{
    [Fact]
    public void Common_nodes_render_in_uefi_text_notation()
    {
        var guid = new Guid("1a504613-19b5-4b44-a83d-d926d40daa1c");
        byte[] path =
        [
            2, 1, 12, 0, 0xD0, 0x41, 0x03, 0x0A, 0, 0, 0, 0, // ACPI PNP0A03 UID 0
            1, 1, 6, 0, 1, 0x1F, // PCI function 1 device 0x1F
            4, 1, 42, 0, 1, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, .. guid.ToByteArray(), 2, 2, // HD GPT
            .. EventLogWriter.FilePath("\\EFI\\BOOT\\BOOTX64.EFI"),
        ];

        Assert.Equal($"PciRoot(0x0)/Pci(0x1F,0x1)/HD(1,GPT,{guid},0x800,0x80000)/\\EFI\\BOOT\\BOOTX64.EFI", DevicePathText.Decode(path));
    }

    [Fact]
    public void Unknown_nodes_are_shown_as_hex()
    {
        byte[] path = [0x55, 7, 6, 0, 0xAB, 0xCD, 0x7F, 0xFF, 4, 0];
        Assert.Equal("Path(85,7,abcd)", DevicePathText.Decode(path));
    }

    [Theory]
    [InlineData(new byte[] { 4, 4, 2, 0 })]
    [InlineData(new byte[] { 4, 4, 0xFF, 0x7F, 0 })]
    [InlineData(new byte[] { 4 })]
    public void Malformed_node_lengths_are_format_errors(byte[] path)
    {
        Assert.Throws<TpmFormatException>(() => DevicePathText.Decode(path));
    }
}
