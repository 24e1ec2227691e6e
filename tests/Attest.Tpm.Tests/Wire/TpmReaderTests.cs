using Attest.Tpm.Wire;

namespace Attest.Tpm.Tests.Wire;

public class TpmReaderTests
{
    [Fact]
    public void Reads_big_endian_integers_in_order()
    {
        byte[] bytes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];
        var reader = new TpmReader(bytes);
        Assert.Equal(0x01, reader.ReadUInt8("a"));
        Assert.Equal(0x0203, reader.ReadUInt16("b"));
        Assert.Equal(0x04050607u, reader.ReadUInt32("c"));
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Truncated_input_names_field_and_absolute_offset()
    {
        byte[] bytes = [0x00, 0x10, 0xAA];
        var ex = Assert.Throws<TpmFormatException>(() =>
        {
            var reader = new TpmReader(bytes, baseOffset: 100);
            reader.ReadSized("TPM2B_DIGEST", 64);
        });
        Assert.Equal("TPM2B_DIGEST", ex.Field);
        Assert.Equal(102, ex.Offset);
    }

    [Fact]
    public void Sized_field_over_its_maximum_is_rejected_before_reading()
    {
        byte[] bytes = [0xFF, 0xFF];
        var ex = Assert.Throws<TpmFormatException>(() => new TpmReader(bytes).ReadSized("TPM2B_NAME", 68));
        Assert.Contains("exceeds the maximum 68", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        byte[] bytes = [0x00, 0x01, 0x02];
        var ex = Assert.Throws<TpmFormatException>(() =>
        {
            var reader = new TpmReader(bytes);
            reader.ReadUInt16("x");
            reader.ExpectEnd("TPMS_TEST");
        });
        Assert.Equal(2, ex.Offset);
    }
}
