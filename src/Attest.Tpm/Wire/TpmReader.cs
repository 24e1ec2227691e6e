using System.Buffers.Binary;

namespace Attest.Tpm.Wire;

/// <summary>
/// Big-endian reader over untrusted bytes (TPM 2.0 Part 1 §9: canonical form is big-endian).
/// Every length is checked against what remains before it is used; every failure is a
/// <see cref="TpmFormatException"/> naming the field and its absolute offset.
/// </summary>
public ref struct TpmReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private int _position;

    /// <param name="buffer">Bytes to read.</param>
    /// <param name="baseOffset">Offset of <paramref name="buffer"/> in the original input, for error messages.</param>
    public TpmReader(ReadOnlySpan<byte> buffer, int baseOffset = 0)
    {
        _buffer = buffer;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Position relative to the start of this reader's buffer.</summary>
    public readonly int Position => _position;

    /// <summary>Absolute offset in the original input.</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>The bytes from <paramref name="start"/> (a <see cref="Position"/>) to the current position.</summary>
    public readonly ReadOnlySpan<byte> Consumed(int start) => _buffer[start.._position];

    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    public byte ReadUInt8(string field)
    {
        Need(1, field);
        return _buffer[_position++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32(string field)
    {
        Need(4, field);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadUInt64(string field)
    {
        Need(8, field);
        var value = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    // Little-endian reads: TCG PC Client event logs are written by firmware in the CPU's byte
    // order (TCG PC Client PFP 1.06 §10: "all fields are little-endian"), unlike TPM structures.
    public ushort ReadUInt16LE(string field)
    {
        Need(2, field);
        var value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32LE(string field)
    {
        Need(4, field);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadUInt64LE(string field)
    {
        Need(8, field);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count < 0)
        {
            throw Fail(field, $"negative length {count}");
        }

        Need(count, field);
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Reads a TPM2B: a 16-bit size then that many bytes; the size may not exceed <paramref name="maxSize"/>.</summary>
    public ReadOnlySpan<byte> ReadSized(string field, int maxSize)
    {
        var sizeOffset = Offset;
        var size = ReadUInt16(field + ".size");
        if (size > maxSize)
        {
            throw new TpmFormatException(field, sizeOffset, $"size {size} exceeds the maximum {maxSize}");
        }

        return ReadBytes(size, field);
    }

    /// <summary>A reader over the next <paramref name="count"/> bytes, which it consumes here.</summary>
    public TpmReader ReadNested(int count, string field)
    {
        var start = Offset;
        var bytes = ReadBytes(count, field);
        return new TpmReader(bytes, start);
    }

    public void Skip(int count, string field) => ReadBytes(count, field);

    /// <summary>Fails when bytes are left over: a structure with trailing bytes is not what it claims to be.</summary>
    public readonly void ExpectEnd(string structure)
    {
        if (!IsAtEnd)
        {
            throw Fail(structure, $"{Remaining} unexpected trailing byte(s)");
        }
    }

    public readonly TpmFormatException Fail(string field, string problem) => new(field, Offset, problem);

    private readonly void Need(int count, string field)
    {
        if (count > Remaining)
        {
            throw Fail(field, $"needs {count} byte(s) but only {Remaining} remain");
        }
    }
}
