using System.Buffers.Binary;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

/// <summary>
/// Parses <c>binary_runtime_measurements</c> (and the per-algorithm <c>_sha256</c>, ... files), whose
/// records are, per ima_fs.c ima_measurements_show: pcr u32, template hash (the bank's size: 20 bytes
/// for the classic file), template name length u32 and name, then — except for the <c>ima</c>
/// template — template data length u32 and data, each field of which is a u32 length and bytes. For
/// <c>ima</c> the data is the 20-byte digest with no length, then u32 length and the name without NUL.
/// </summary>
public static class ImaBinaryLogParser
{
    /// <summary>Parses a binary log whose template hashes are in <paramref name="templateHashAlgorithm"/>.</summary>
    public static ImaLog Parse(ReadOnlyMemory<byte> log, TpmAlgId templateHashAlgorithm, ImaParseOptions? options = null)
    {
        options ??= new ImaParseOptions();
        var hashSize = TpmHash.DigestSize(templateHashAlgorithm);
        if (hashSize == 0)
        {
            throw new ArgumentException($"{templateHashAlgorithm.Name()} is not a hash algorithm", nameof(templateHashAlgorithm));
        }

        // Capacity from the input size only (a record is at least 33 bytes), never from a length field.
        var entries = new List<ImaEntry>(Math.Min(log.Length / 80, 1 << 20));
        var reader = new ImaBinaryReader(log.Span);
        var templates = new ImaTemplateCache();
        while (!reader.IsAtEnd)
        {
            var entryOffset = reader.Position;
            var pcr = reader.ReadUInt32("ima_entry.pcr");
            if (pcr > ImaLimits.MaxPcrIndex)
            {
                throw new TpmFormatException("ima_entry.pcr", entryOffset, $"PCR index {pcr} is above {ImaLimits.MaxPcrIndex}");
            }

            var hashStart = reader.Skip(hashSize, "ima_entry.template_hash");
            var nameLengthOffset = reader.Position;
            var nameLength = reader.ReadLength("ima_entry.template_name_len", ImaLimits.MaxTemplateNameLength);
            if (nameLength == 0)
            {
                throw new TpmFormatException("ima_entry.template_name_len", nameLengthOffset, "empty template name");
            }

            var nameStart = reader.Skip(nameLength, "ima_entry.template_name");
            var (name, template) = templates.Get(reader.Slice(nameStart, nameLength), nameStart);

            int dataStart;
            if (template is { IsImaTemplate: true })
            {
                // ima_fs.c: no template data length, 'd' without a field length, 'n' as strlen + string.
                dataStart = reader.Skip(ImaFieldDecoder.ImaDigestFieldSize, "ima_template.d");
                var fieldNameLength = reader.ReadLength("ima_template.n.len", ImaLimits.MaxImaTemplateNameFieldLength);
                reader.Skip(fieldNameLength, "ima_template.n");
            }
            else
            {
                var dataLength = reader.ReadLength("ima_entry.template_data_len", options.MaxTemplateDataLength);
                dataStart = reader.Skip(dataLength, "ima_entry.template_data");
                if (template is not null)
                {
                    ValidateFields(reader.Slice(dataStart, dataLength), dataStart, template);
                }
            }

            var header = new ImaEntryHeader(
                options.FirstIndex + entries.Count, entryOffset, 0, pcr, log.Slice(hashStart, hashSize), templateHashAlgorithm, name);
            entries.Add(new ImaEntry(header, template, log[dataStart..reader.Position]));
        }

        return new ImaLog(ImaLogFormat.Binary, templateHashAlgorithm, options.FirstIndex, entries);
    }

    /// <summary>
    /// Guesses the template hash size of a binary log with no file name to go by: the first record
    /// must read as a plausible PCR, hash, and printable template name, and the whole log must parse.
    /// Size 32 is taken as SHA-256 (SM3 and SHA3-256 logs need the algorithm named).
    /// </summary>
    public static ImaLog ParseDetectingHash(ReadOnlyMemory<byte> log, ImaParseOptions? options = null)
    {
        TpmAlgId[] candidates = [TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512];
        if (log.IsEmpty)
        {
            return new ImaLog(ImaLogFormat.Binary, TpmAlgId.Sha1, options?.FirstIndex ?? 0, []);
        }

        ImaLog? found = null;
        TpmFormatException? firstError = null;
        foreach (var alg in candidates)
        {
            if (!FirstRecordPlausible(log.Span, TpmHash.DigestSize(alg)))
            {
                continue;
            }

            try
            {
                var parsed = Parse(log, alg, options);
                if (found is not null)
                {
                    throw new TpmFormatException("ima_entry.template_hash", 4,
                        $"log parses with both {found.TemplateHashAlgorithm.Name()} and {alg.Name()} template hashes; name the algorithm");
                }

                found = parsed;
            }
            catch (TpmFormatException ex) when (found is null)
            {
                firstError ??= ex;
            }
        }

        if (found is not null)
        {
            return found;
        }

        // No layout fits: report the failure of the most plausible one, or of the classic 20-byte layout.
        return firstError is not null ? throw firstError : Parse(log, TpmAlgId.Sha1, options);
    }

    private static bool FirstRecordPlausible(ReadOnlySpan<byte> log, int hashSize)
    {
        var nameAt = 4 + hashSize + 4;
        if (log.Length < nameAt + 1 || BinaryPrimitives.ReadUInt32LittleEndian(log) > ImaLimits.MaxPcrIndex)
        {
            return false;
        }

        var nameLength = BinaryPrimitives.ReadUInt32LittleEndian(log[(4 + hashSize)..]);
        if (nameLength is 0 or > ImaLimits.MaxTemplateNameLength || nameLength > (uint)(log.Length - nameAt))
        {
            return false;
        }

        return ImaTemplateCache.IsPrintable(log.Slice(nameAt, (int)nameLength));
    }

    /// <summary>A known template's data must be exactly its fields, each a u32 length and bytes, each well-formed.</summary>
    private static void ValidateFields(ReadOnlySpan<byte> data, int dataOffset, ImaTemplate template)
    {
        var position = 0;
        for (var i = 0; i < template.Fields.Count; i++)
        {
            var field = template.Fields[i];
            if (data.Length - position < 4)
            {
                throw new TpmFormatException($"ima_template.{field.Id}", dataOffset + position, $"template data ends before field {i + 1} of {template.Fields.Count}");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
            if (length > (uint)(data.Length - position - 4))
            {
                throw new TpmFormatException($"ima_template.{field.Id}", dataOffset + position, $"field length {length} but only {data.Length - position - 4} byte(s) remain in the template data");
            }

            ImaFieldDecoder.Validate(field, data.Slice(position + 4, (int)length), dataOffset + position + 4);
            position += 4 + (int)length;
        }

        if (position != data.Length)
        {
            throw new TpmFormatException("ima_entry.template_data", dataOffset + position, $"{data.Length - position} byte(s) after the last field of {template.Name}");
        }
    }
}
