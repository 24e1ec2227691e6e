using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

/// <summary>
/// Decodes the fields of a known template into an <see cref="ImaEntry"/>. Both parsers feed it the
/// binary field bytes (the ASCII parser rebuilds them first), so both forms decode identically.
/// </summary>
internal readonly record struct ImaEntryHeader(
    int Index, int Offset, int Line, uint Pcr, ReadOnlyMemory<byte> TemplateHash, TpmAlgId TemplateHashAlgorithm, string TemplateName);

internal struct ImaFieldDecoder
{
    private readonly ImaTemplate? _template;
    private readonly ReadOnlyMemory<byte>[] _fields;
    private ImaDigest? _fileDigest;
    private string? _fileName;
    private ReadOnlyMemory<byte> _signature;
    private ImaSignatureHeader? _signatureHeader;
    private ReadOnlyMemory<byte>? _buffer;
    private ImaDigest? _modSigDigest;
    private ReadOnlyMemory<byte> _modSig;

    public ImaFieldDecoder(ImaTemplate? template, int fieldCount)
    {
        _template = template;
        _fields = fieldCount == 0 ? [] : new ReadOnlyMemory<byte>[fieldCount];
    }

    /// <param name="index">Field position in the template.</param>
    /// <param name="data">The field's bytes (without its length prefix).</param>
    /// <param name="offset">Absolute offset of the field in the input, for errors.</param>
    public void Add(int index, ReadOnlyMemory<byte> data, int offset)
    {
        _fields[index] = data;
        if (_template is null)
        {
            return;
        }

        var field = _template.Fields[index];
        if (index == _template.DigestField)
        {
            _fileDigest = field.Format == ImaFieldFormat.Digest ? new ImaDigest("sha1", data) : DecodeDigest(data, field.Id, offset);
        }
        else if (index == _template.NameField)
        {
            var span = data.Span;
            var nul = span.IndexOf((byte)0);
            _fileName = Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
        }
        else if (index == _template.SignatureField)
        {
            _signature = data;
            _signatureHeader = ImaSignatureHeader.TryDecode(data.Span);
        }
        else if (index == _template.BufferField)
        {
            _buffer = data;
        }
        else if (index == _template.ModSigDigestField)
        {
            // Empty when the file had no appended signature (ima_eventdigest_modsig_init).
            _modSigDigest = data.IsEmpty ? null : DecodeDigest(data, field.Id, offset);
        }
        else if (index == _template.ModSigField)
        {
            _modSig = data;
        }
        else if (field.Format == ImaFieldFormat.UInt && data.Length is not (0 or 2 or 4 or 8))
        {
            throw new TpmFormatException($"ima_template.{field.Id}", offset, $"an integer field of {data.Length} bytes");
        }
    }

    public readonly ImaEntry Build(in ImaEntryHeader header, ReadOnlyMemory<byte> templateData) =>
        new(header.Pcr, header.TemplateHash, header.TemplateName, _template)
        {
            Index = header.Index,
            Offset = header.Offset,
            Line = header.Line,
            TemplateHashAlgorithm = header.TemplateHashAlgorithm,
            TemplateData = templateData,
            Fields = _fields,
            FileDigest = _fileDigest,
            FileName = _fileName,
            Signature = _signature,
            SignatureHeader = _signatureHeader,
            Buffer = _buffer,
            ModSigDigest = _modSigDigest,
            ModSig = _modSig,
        };

    /// <summary>
    /// <c>[type:]algo:</c>, a NUL, then the digest (ima_template_lib.c ima_eventdigest_init_common).
    /// The digest may contain any byte, so the first NUL ends the prefix and must follow a colon.
    /// </summary>
    private static ImaDigest DecodeDigest(ReadOnlyMemory<byte> data, string fieldId, int offset)
    {
        var span = data.Span;
        var nul = span.IndexOf((byte)0);
        if (nul < 1 || span[nul - 1] != (byte)':')
        {
            throw new TpmFormatException($"ima_template.{fieldId}", offset, "digest without its 'algo:' prefix and NUL");
        }

        var prefix = span[..(nul - 1)];
        string? type = null;
        var colon = prefix.LastIndexOf((byte)':');
        if (colon >= 0)
        {
            // d-ngv2: "ima:sha256:" or "verity:sha256:".
            var typeBytes = prefix[..colon];
            type = typeBytes.SequenceEqual("ima"u8) ? "ima" : typeBytes.SequenceEqual("verity"u8) ? "verity" : Encoding.UTF8.GetString(typeBytes);
            prefix = prefix[(colon + 1)..];
        }

        foreach (var b in prefix)
        {
            if (b is < 0x21 or > 0x7E)
            {
                throw new TpmFormatException($"ima_template.{fieldId}", offset, "digest algorithm name is not printable ASCII");
            }
        }

        return new ImaDigest(ImaHashAlgorithms.Intern(prefix), data[(nul + 1)..], type);
    }
}
