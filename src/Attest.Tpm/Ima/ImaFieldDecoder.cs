using System.Buffers.Binary;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

internal readonly record struct ImaEntryHeader(
    int Index, int Offset, int Line, uint Pcr, ReadOnlyMemory<byte> TemplateHash, TpmAlgId TemplateHashAlgorithm, string TemplateName);

/// <summary>
/// Field checks (at parse time, allocation-free, so malformed fields fail the parse with their offset)
/// and field decoding (on first use of an entry's decoded view). Both parsers hand over binary field
/// bytes (the ASCII parser rebuilds them first), so both forms decode identically.
/// </summary>
internal static class ImaFieldDecoder
{
    /// <summary>The <c>ima</c> template's digest field is always IMA_DIGEST_SIZE (20) bytes, with no length in the log.</summary>
    public const int ImaDigestFieldSize = 20;

    /// <summary>Checks one field of a known template; throws <see cref="TpmFormatException"/> at <paramref name="offset"/>.</summary>
    public static void Validate(ImaTemplateField field, ReadOnlySpan<byte> data, int offset)
    {
        switch (field.Format)
        {
            case ImaFieldFormat.DigestWithAlgo when !data.IsEmpty || field.Id != "d-modsig":
                _ = DigestPrefixEnd(data, field.Id, offset);
                break;
            case ImaFieldFormat.UInt when data.Length is not (0 or 2 or 4 or 8):
                throw new TpmFormatException($"ima_template.{field.Id}", offset, $"an integer field of {data.Length} bytes");
        }
    }

    public static ImaEntryDetails Decode(ImaTemplate? template, ReadOnlyMemory<byte> data, bool hasTemplateData)
    {
        if (!hasTemplateData)
        {
            return new ImaEntryDetails();
        }

        var fields = Split(template, data);
        if (template is null || fields.Length != template.Fields.Count)
        {
            return new ImaEntryDetails { Fields = fields };
        }

        ReadOnlyMemory<byte> Field(int index) => index >= 0 ? fields[index] : default;

        var digestField = Field(template.DigestField);
        var nameField = Field(template.NameField).Span;
        var nul = nameField.IndexOf((byte)0);
        var signature = Field(template.SignatureField);
        var modSigDigest = Field(template.ModSigDigestField);
        return new ImaEntryDetails
        {
            Fields = fields,
            FileDigest = template.DigestField < 0 ? null
                : template.Fields[template.DigestField].Format == ImaFieldFormat.Digest ? new ImaDigest("sha1", digestField)
                : DecodeDigest(digestField),
            FileName = template.NameField < 0 ? null : Encoding.UTF8.GetString(nul >= 0 ? nameField[..nul] : nameField),
            Signature = signature,
            SignatureHeader = ImaSignatureHeader.TryDecode(signature.Span),
            Buffer = template.BufferField < 0 ? null : fields[template.BufferField],
            ModSigDigest = template.ModSigDigestField < 0 || modSigDigest.IsEmpty ? null : DecodeDigest(modSigDigest),
            ModSig = Field(template.ModSigField),
        };
    }

    /// <summary>Splits validated template data into fields (the <c>ima</c> template has its own layout).</summary>
    private static ReadOnlyMemory<byte>[] Split(ImaTemplate? template, ReadOnlyMemory<byte> data)
    {
        if (template is { IsImaTemplate: true })
        {
            return [data[..ImaDigestFieldSize], data[(ImaDigestFieldSize + 4)..]];
        }

        var span = data.Span;
        var count = 0;
        for (var position = 0; position < span.Length; count++)
        {
            if (span.Length - position < 4 || BinaryPrimitives.ReadUInt32LittleEndian(span[position..]) > (uint)(span.Length - position - 4))
            {
                // Only an unknown template can get here: its data need not be framed as fields.
                return [];
            }

            position += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
        }

        var fields = new ReadOnlyMemory<byte>[count];
        for (int i = 0, position = 0; i < count; i++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
            fields[i] = data.Slice(position + 4, length);
            position += 4 + length;
        }

        return fields;
    }

    /// <summary>
    /// <c>[type:]algo:</c>, a NUL, then the digest (ima_template_lib.c ima_eventdigest_init_common).
    /// The digest may contain any byte, so the first NUL ends the prefix and must follow a colon.
    /// Returns the index of that NUL.
    /// </summary>
    private static int DigestPrefixEnd(ReadOnlySpan<byte> data, string fieldId, int offset)
    {
        var nul = data.IndexOf((byte)0);
        if (nul < 1 || data[nul - 1] != (byte)':')
        {
            throw new TpmFormatException($"ima_template.{fieldId}", offset, "digest without its 'algo:' prefix and NUL");
        }

        foreach (var b in data[..(nul - 1)])
        {
            if (b is < 0x21 or > 0x7E)
            {
                throw new TpmFormatException($"ima_template.{fieldId}", offset, "digest algorithm name is not printable ASCII");
            }
        }

        return nul;
    }

    private static ImaDigest DecodeDigest(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        var nul = span.IndexOf((byte)0);
        var prefix = span[..(nul - 1)];
        string? type = null;
        var colon = prefix.LastIndexOf((byte)':');
        if (colon >= 0)
        {
            // d-ngv2: "ima:sha256:" or "verity:sha256:".
            var typeBytes = prefix[..colon];
            type = typeBytes.SequenceEqual("ima"u8) ? "ima" : typeBytes.SequenceEqual("verity"u8) ? "verity" : Encoding.ASCII.GetString(typeBytes);
            prefix = prefix[(colon + 1)..];
        }

        return new ImaDigest(ImaHashAlgorithms.Intern(prefix), data[(nul + 1)..], type);
    }
}
