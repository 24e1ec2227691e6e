using System.Buffers;
using System.Buffers.Binary;

namespace Attest.Tpm.Wire;

/// <summary>Big-endian writer for TPM structures and commands (trusted, self-produced bytes).</summary>
public sealed class TpmWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public TpmWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public TpmWriter WriteUInt8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public TpmWriter WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
        return this;
    }

    public TpmWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public TpmWriter WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public TpmWriter WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Writes a TPM2B: 16-bit size, then the bytes.</summary>
    public TpmWriter WriteSized(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("TPM2B payload longer than 65535 bytes", nameof(bytes));
        }

        WriteUInt16((ushort)bytes.Length);
        return WriteBytes(bytes);
    }

    /// <summary>Overwrites a 32-bit value already written (e.g. a command's size field).</summary>
    public void PatchUInt32(int position, uint value)
    {
        // ArrayBufferWriter exposes its written memory; MemoryMarshal is not needed for a patch.
        var span = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span;
        BinaryPrimitives.WriteUInt32BigEndian(span[position..], value);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
