using System.Buffers.Binary;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

/// <summary>
/// Parses <c>ascii_runtime_measurements</c> (and <c>_sha256</c>, ...). Each line is, per ima_fs.c
/// ima_ascii_measurements_show: the PCR as <c>%2d</c>, the template hash in hex, the template name, then
/// for every field a space and the field's printed form (nothing for an empty field, so a line can end
/// in spaces). The kernel replaces spaces in names with '_' (ima_write_template_field_data), so a single
/// space always separates fields. Known templates are turned back into their binary template data, so
/// that template hashes are checked over the same bytes as for a binary log.
/// </summary>
public static class ImaAsciiLogParser
{
    public static ImaLog Parse(ReadOnlyMemory<byte> log, ImaParseOptions? options = null)
    {
        options ??= new ImaParseOptions();
        var algorithm = options.TemplateHashAlgorithm;
        var span = log.Span;
        var entries = new List<ImaEntry>(Math.Min(span.Length / 100, 1 << 20));
        var templates = new ImaTemplateCache();
        var maxLine = (2 * options.MaxTemplateDataLength) + 1024;
        var position = 0;
        var lineNumber = 0;
        List<string>? unparsed = null;
        while (position < span.Length)
        {
            lineNumber++;
            var rest = span[position..];
            var newline = rest[..Math.Min(rest.Length, maxLine + 1)].IndexOf((byte)'\n');
            if (newline < 0)
            {
                throw rest.Length > maxLine
                    ? Fail("ima_ascii.line", position, lineNumber, $"line longer than {maxLine} bytes")
                    : Fail("ima_ascii.line", position + rest.Length, lineNumber, "last line is not terminated by a newline (truncated log?)");
            }

            var line = new LineCursor(rest[..newline], position, lineNumber);

            // PCR: "%2d", so a one-digit PCR has a leading space.
            line.SkipSpaces(2);
            var pcr = line.ReadDecimal("ima_ascii.pcr", ImaLimits.MaxPcrIndex);
            line.ExpectSpace("ima_ascii.pcr");

            var hashHex = line.ReadToken(out var hashOffset);
            if (algorithm is null)
            {
                algorithm = hashHex.Length switch
                {
                    40 => TpmAlgId.Sha1,
                    64 => TpmAlgId.Sha256,
                    96 => TpmAlgId.Sha384,
                    128 => TpmAlgId.Sha512,
                    _ => throw Fail("ima_ascii.template_hash", hashOffset, lineNumber, $"{hashHex.Length} hex digits is not a known template-hash size"),
                };
            }

            var hashSize = TpmHash.DigestSize(algorithm.Value);
            if (hashHex.Length != 2 * hashSize)
            {
                throw Fail("ima_ascii.template_hash", hashOffset, lineNumber, $"{hashHex.Length} hex digits where {algorithm.Value.Name()} needs {2 * hashSize}");
            }

            line.ExpectSpace("ima_ascii.template_hash");

            var nameBytes = line.ReadToken(out var nameOffset);
            if (nameBytes.IsEmpty || nameBytes.Length > ImaLimits.MaxTemplateNameLength)
            {
                throw Fail("ima_ascii.template_name", nameOffset, lineNumber, $"template name of {nameBytes.Length} bytes");
            }

            var (name, template) = templates.Get(nameBytes, nameOffset);
            var (hashStart, hashLength) = (hashOffset - position, hashHex.Length);
            if (template is null)
            {
                // Unknown template: its binary form cannot be rebuilt from the printed one; keep the text.
                unparsed ??= [];
                unparsed.Clear();
                while (!line.IsAtEnd)
                {
                    line.ExpectSpace("ima_ascii.field");
                    unparsed.Add(Encoding.UTF8.GetString(line.ReadToken(out _)));
                }

                var hash = new byte[hashSize];
                DecodeHex(line.Source.Slice(hashStart, hashLength), hash, "ima_ascii.template_hash", hashOffset, lineNumber);
                var header = new ImaEntryHeader(options.FirstIndex + entries.Count, position, lineNumber, pcr, hash, algorithm.Value, name);
                entries.Add(new ImaEntry(header, null, ReadOnlyMemory<byte>.Empty) { UnparsedAsciiFields = [.. unparsed] });
            }
            else
            {
                entries.Add(ReadFields(ref line, template, hashStart, hashSize, options.FirstIndex + entries.Count, name, algorithm.Value, pcr, options.MaxTemplateDataLength));
            }

            position += newline + 1;
        }

        return new ImaLog(ImaLogFormat.Ascii, algorithm ?? TpmAlgId.Sha1, options.FirstIndex, entries);
    }

    private static ImaEntry ReadFields(
        ref LineCursor line, ImaTemplate template, int hashStart, int hashSize, int index, string name, TpmAlgId algorithm, uint pcr, int maxData)
    {
        var count = template.Fields.Count;
        Span<int> tokenStart = stackalloc int[count];
        Span<int> tokenLength = stackalloc int[count];
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            var field = template.Fields[i];
            if (line.IsAtEnd)
            {
                throw Fail("ima_ascii.field", line.Offset, line.Number, $"{template.Name} needs {count} fields but the line has {i}");
            }

            line.ExpectSpace(field.AsciiErrorName);
            var token = line.ReadToken(out var offset);
            tokenStart[i] = offset;
            tokenLength[i] = token.Length;
            total += BinaryLength(template, field, token, offset, line.Number) + (template.IsImaTemplate && i == 0 ? 0 : 4);
            if (total > maxData)
            {
                throw Fail("ima_ascii.field", offset, line.Number, $"template data exceeds the maximum {maxData} bytes");
            }
        }

        if (!line.IsAtEnd)
        {
            throw Fail("ima_ascii.field", line.Offset, line.Number, $"more than the {count} fields of {template.Name}");
        }

        // One allocation per entry: the template hash then the binary template data.
        var buffer = new byte[hashSize + total];
        DecodeHex(line.Source.Slice(hashStart, 2 * hashSize), buffer.AsSpan(0, hashSize), "ima_ascii.template_hash", line.SourceOffset + hashStart, line.Number);
        var data = buffer.AsSpan(hashSize);
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var field = template.Fields[i];
            var token = line.Source.Slice(tokenStart[i] - line.SourceOffset, tokenLength[i]);
            var length = BinaryLength(template, field, token, tokenStart[i], line.Number);
            if (!(template.IsImaTemplate && i == 0))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data[position..], (uint)length);
                position += 4;
            }

            Encode(field, token, data.Slice(position, length), tokenStart[i], line.Number);
            if (!template.IsImaTemplate)
            {
                // A printed field can carry bytes the kernel never writes (a NUL in an algorithm name).
                ImaFieldDecoder.Validate(field, data.Slice(position, length), tokenStart[i]);
            }

            position += length;
        }

        var header = new ImaEntryHeader(index, line.SourceOffset, line.Number, pcr, buffer.AsMemory(0, hashSize), algorithm, name);
        return new ImaEntry(header, template, buffer.AsMemory(hashSize));
    }

    /// <summary>Length of a field's binary form, from its printed form (ima_template_lib.c ima_show_template_*).</summary>
    private static int BinaryLength(ImaTemplate template, ImaTemplateField field, ReadOnlySpan<byte> token, int offset, int line)
    {
        if (token.IsEmpty)
        {
            return 0;
        }

        switch (field.Format)
        {
            case ImaFieldFormat.Digest:
            case ImaFieldFormat.Hex:
                if (token.Length % 2 != 0)
                {
                    throw Fail($"ima_ascii.{field.Id}", offset, line, "odd number of hex digits");
                }

                return token.Length / 2;
            case ImaFieldFormat.DigestWithAlgo:
                var colon = token.LastIndexOf((byte)':');
                var hexLength = token.Length - colon - 1;
                if (colon < 0 || hexLength % 2 != 0)
                {
                    throw Fail($"ima_ascii.{field.Id}", offset, line, "expected algo:hex");
                }

                return colon + 2 + (hexLength / 2);
            case ImaFieldFormat.String:
                // The 'ima' template's binary name has no NUL; every other string field keeps it.
                if (template.IsImaTemplate && token.Length > ImaLimits.MaxImaTemplateNameFieldLength)
                {
                    throw Fail($"ima_ascii.{field.Id}", offset, line, $"name longer than {ImaLimits.MaxImaTemplateNameFieldLength} bytes");
                }

                return template.IsImaTemplate ? token.Length : token.Length + 1;
            case ImaFieldFormat.UInt:
                return field.UIntSize;
            default:
                throw new InvalidOperationException($"unhandled field format {field.Format}");
        }
    }

    private static void Encode(ImaTemplateField field, ReadOnlySpan<byte> token, Span<byte> destination, int offset, int line)
    {
        if (token.IsEmpty)
        {
            return;
        }

        var name = field.AsciiErrorName;
        switch (field.Format)
        {
            case ImaFieldFormat.Digest:
            case ImaFieldFormat.Hex:
                DecodeHex(token, destination, name, offset, line);
                break;
            case ImaFieldFormat.DigestWithAlgo:
                var colon = token.LastIndexOf((byte)':');
                token[..(colon + 1)].CopyTo(destination);
                destination[colon + 1] = 0;
                DecodeHex(token[(colon + 1)..], destination[(colon + 2)..], name, offset + colon + 1, line);
                break;
            case ImaFieldFormat.String:
                token.CopyTo(destination);
                break;
            case ImaFieldFormat.UInt:
                var cursor = new LineCursor(token, offset, line);
                var value = cursor.ReadDecimal(name, field.UIntSize == 2 ? ushort.MaxValue : uint.MaxValue);
                if (!cursor.IsAtEnd)
                {
                    throw Fail(name, offset, line, "not a decimal number");
                }

                if (field.UIntSize == 2)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
                }

                break;
            default:
                throw new InvalidOperationException($"unhandled field format {field.Format}");
        }
    }

    private static void DecodeHex(ReadOnlySpan<byte> hex, Span<byte> destination, string field, int offset, int line)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var high = HexValue(hex[2 * i]);
            var low = HexValue(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                throw Fail(field, offset + (2 * i), line, "not a hex digit");
            }

            destination[i] = (byte)((high << 4) | low);
        }
    }

    private static int HexValue(byte c) => HexTable[c];

    // -1 for every byte that is not a hex digit; a table because the ASCII log is mostly hex.
    private static ReadOnlySpan<sbyte> HexTable =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    ];

    private static TpmFormatException Fail(string field, int offset, int line, string problem) =>
        new(field, offset, $"line {line}: {problem}");

    /// <summary>Walks one line; offsets are absolute in the log.</summary>
    private ref struct LineCursor
    {
        private int _position;

        public LineCursor(ReadOnlySpan<byte> source, int sourceOffset, int number)
        {
            Source = source;
            SourceOffset = sourceOffset;
            Number = number;
        }

        public ReadOnlySpan<byte> Source { get; }

        public int SourceOffset { get; }

        public int Number { get; }

        public readonly int Offset => SourceOffset + _position;

        public readonly bool IsAtEnd => _position >= Source.Length;

        public void SkipSpaces(int max)
        {
            for (var i = 0; i < max && _position < Source.Length && Source[_position] == (byte)' '; i++)
            {
                _position++;
            }
        }

        public void ExpectSpace(string field)
        {
            if (IsAtEnd || Source[_position] != (byte)' ')
            {
                throw Fail(field, Offset, Number, IsAtEnd ? "line ends early" : "expected a single space");
            }

            _position++;
        }

        public uint ReadDecimal(string field, uint max)
        {
            var start = _position;
            ulong value = 0;
            while (_position < Source.Length && Source[_position] is >= (byte)'0' and <= (byte)'9')
            {
                value = (value * 10) + (uint)(Source[_position] - '0');
                if (value > max)
                {
                    throw Fail(field, SourceOffset + start, Number, $"number above {max}");
                }

                _position++;
            }

            if (_position == start)
            {
                throw Fail(field, SourceOffset + start, Number, "expected a decimal number");
            }

            return (uint)value;
        }

        /// <summary>The bytes up to the next space or the end of the line (possibly none).</summary>
        public ReadOnlySpan<byte> ReadToken(out int offset)
        {
            var start = _position;
            var space = Source[start..].IndexOf((byte)' ');
            _position = space < 0 ? Source.Length : start + space;
            offset = SourceOffset + start;
            return Source[start.._position];
        }
    }
}
