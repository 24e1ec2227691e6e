using System.Buffers.Binary;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

/// <summary>
/// Little-endian reader for the binary IMA log: the kernel writes it in host byte order (little-endian
/// on x86 and arm64) or, with ima_canonical_fmt, always little-endian (ima_fs.c). Lengths are checked
/// against what remains before use; failures are <see cref="TpmFormatException"/> with absolute offsets.
/// </summary>
internal ref struct ImaBinaryReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ImaBinaryReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    public uint ReadUInt32(string field)
    {
        Need(4, field);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>A u32 length capped at <paramref name="max"/> and at what remains, checked before anything is read.</summary>
    public int ReadLength(string field, int max)
    {
        var offset = _position;
        var length = ReadUInt32(field);
        if (length > (uint)max)
        {
            throw new TpmFormatException(field, offset, $"length {length} exceeds the maximum {max}");
        }

        if (length > (uint)Remaining)
        {
            throw new TpmFormatException(field, offset, $"length {length} but only {Remaining} byte(s) remain");
        }

        return (int)length;
    }

    /// <summary>Consumes <paramref name="count"/> bytes and returns where they start.</summary>
    public int Skip(int count, string field)
    {
        Need(count, field);
        var start = _position;
        _position += count;
        return start;
    }

    public readonly ReadOnlySpan<byte> Slice(int start, int length) => _buffer.Slice(start, length);

    private readonly void Need(int count, string field)
    {
        if (count > Remaining)
        {
            throw new TpmFormatException(field, _position, $"needs {count} byte(s) but only {Remaining} remain");
        }
    }
}
