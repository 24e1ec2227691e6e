using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// One measurement from an IMA runtime log, as read (ASCII and binary forms of the same measurement
/// give equal entries). <see cref="TemplateData"/> is the binary template data exactly as the binary
/// log carries it; the template hash is verified over it during replay, never over a re-encoding.
/// The parser validates every field; the decoded views (<see cref="FileName"/>, <see cref="FileDigest"/>,
/// ...) are built on first use and kept, so a replay-only pass over a long log allocates one object per entry.
/// </summary>
public sealed class ImaEntry
{
    private ImaEntryDetails? _details;

    internal ImaEntry(in ImaEntryHeader header, ImaTemplate? template, ReadOnlyMemory<byte> templateData)
    {
        Index = header.Index;
        Offset = header.Offset;
        Line = header.Line;
        Pcr = header.Pcr;
        TemplateHash = header.TemplateHash;
        TemplateHashAlgorithm = header.TemplateHashAlgorithm;
        TemplateName = header.TemplateName;
        Template = template;
        TemplateData = templateData;
    }

    /// <summary>Position in the kernel's measurement list (0 = boot_aggregate when the whole log is read).</summary>
    public int Index { get; }

    /// <summary>Byte offset of the entry in the input (both forms).</summary>
    public int Offset { get; }

    /// <summary>1-based line number in an ASCII log; 0 for a binary log.</summary>
    public int Line { get; }

    public uint Pcr { get; }

    /// <summary>The template hash as logged, in <see cref="TemplateHashAlgorithm"/> (the log's algorithm).</summary>
    public ReadOnlyMemory<byte> TemplateHash { get; }

    public TpmAlgId TemplateHashAlgorithm { get; }

    public string TemplateName { get; }

    /// <summary>The template's descriptor, or null for a template this library does not know (kept raw).</summary>
    public ImaTemplate? Template { get; }

    /// <summary>
    /// Binary template data: for every template but <c>ima</c>, each field as a u32 little-endian length
    /// then its bytes (what the kernel hashes); for <c>ima</c>, the 20-byte digest then u32 length + name.
    /// Empty when <see cref="HasTemplateData"/> is false.
    /// </summary>
    public ReadOnlyMemory<byte> TemplateData { get; }

    /// <summary>False only for an ASCII entry of an unknown template, whose binary form cannot be rebuilt.</summary>
    public bool HasTemplateData => UnparsedAsciiFields is null;

    /// <summary>For an ASCII entry of an unknown template: the fields as printed; otherwise null.</summary>
    public IReadOnlyList<string>? UnparsedAsciiFields { get; internal init; }

    /// <summary>
    /// A measurement violation (open-writers or ToMToU): the kernel logs an all-zero template hash and
    /// extends the PCR with all-0xFF bytes instead (ima_api.c ima_add_violation, ima_queue.c).
    /// </summary>
    public bool IsViolation => !TemplateHash.Span.ContainsAnyExcept((byte)0);

    /// <summary>The bytes of each field, in template order (empty for an unknown template whose data does not split into fields).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Fields => Details.Fields;

    /// <summary>The measured file's (or buffer's) digest: <c>d</c>, <c>d-ng</c> or <c>d-ngv2</c>.</summary>
    public ImaDigest? FileDigest => Details.FileDigest;

    /// <summary>
    /// The event name: a file path, or for <c>ima-buf</c> what was measured (kexec-cmdline, a keyring name).
    /// Decoded once as UTF-8 (invalid sequences become U+FFFD); the exact bytes stay in <see cref="Fields"/>.
    /// </summary>
    public string? FileName => Details.FileName;

    /// <summary>The raw <c>sig</c> field (empty when the file was not signed or the template has none).</summary>
    public ReadOnlyMemory<byte> Signature => Details.Signature;

    /// <summary>The decoded signature header when <see cref="Signature"/> is a v2/v3 IMA signature.</summary>
    public ImaSignatureHeader? SignatureHeader => Details.SignatureHeader;

    /// <summary>The raw <c>buf</c> field of <c>ima-buf</c>, or null for templates without one.</summary>
    public ReadOnlyMemory<byte>? Buffer => Details.Buffer;

    /// <summary>The <c>d-modsig</c> field: digest of the file without its appended signature.</summary>
    public ImaDigest? ModSigDigest => Details.ModSigDigest;

    /// <summary>The raw <c>modsig</c> field (a PKCS#7 appended signature), empty when absent.</summary>
    public ReadOnlyMemory<byte> ModSig => Details.ModSig;

    /// <summary>The buffer as text when every byte is printable ASCII (kexec command lines are); otherwise null.</summary>
    public string? BufferText
    {
        get
        {
            if (Buffer is not { } buffer || buffer.IsEmpty)
            {
                return null;
            }

            foreach (var b in buffer.Span)
            {
                if (b is < 0x20 or > 0x7E)
                {
                    return null;
                }
            }

            return System.Text.Encoding.ASCII.GetString(buffer.Span);
        }
    }

    // Racing first readers both decode the same immutable bytes to equal results; either may win.
    private ImaEntryDetails Details => _details ??= ImaFieldDecoder.Decode(Template, TemplateData, HasTemplateData);
}

/// <summary>The decoded fields of an entry, built on first use.</summary>
internal sealed class ImaEntryDetails
{
    public IReadOnlyList<ReadOnlyMemory<byte>> Fields { get; init; } = [];

    public ImaDigest? FileDigest { get; init; }

    public string? FileName { get; init; }

    public ReadOnlyMemory<byte> Signature { get; init; }

    public ImaSignatureHeader? SignatureHeader { get; init; }

    public ReadOnlyMemory<byte>? Buffer { get; init; }

    public ImaDigest? ModSigDigest { get; init; }

    public ReadOnlyMemory<byte> ModSig { get; init; }
}
