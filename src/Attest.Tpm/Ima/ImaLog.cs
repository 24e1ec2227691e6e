using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

public enum ImaLogFormat
{
    Binary,
    Ascii,
}

/// <summary>Parsing choices; the defaults suit a log read from securityfs.</summary>
public sealed record ImaParseOptions
{
    /// <summary>
    /// The template-hash algorithm of the log. Null: from <see cref="FileName"/> (a <c>_sha256</c>-style
    /// suffix), else from the hex length (ASCII) or by trying the bank sizes (binary).
    /// </summary>
    public TpmAlgId? TemplateHashAlgorithm { get; init; }

    /// <summary>The log's file name, used only as a hint for the template-hash algorithm.</summary>
    public string? FileName { get; init; }

    /// <summary>
    /// Index of the first entry in the input: 0 for a whole log, N when the input is the tail of the
    /// kernel's list starting at entry N (incremental attestation).
    /// </summary>
    public int FirstIndex { get; init; }

    /// <summary>Per-entry cap on template data (binary) and on a line's decoded fields (ASCII).</summary>
    public int MaxTemplateDataLength { get; init; } = ImaLimits.DefaultMaxTemplateDataLength;
}

/// <summary>A parsed IMA runtime measurement log (or a contiguous part of one).</summary>
public sealed class ImaLog
{
    public ImaLog(ImaLogFormat format, TpmAlgId templateHashAlgorithm, int firstIndex, IReadOnlyList<ImaEntry> entries)
    {
        Format = format;
        TemplateHashAlgorithm = templateHashAlgorithm;
        FirstIndex = firstIndex;
        Entries = entries;
    }

    public ImaLogFormat Format { get; }

    /// <summary>Algorithm of every entry's logged template hash (SHA-1 for the classic files).</summary>
    public TpmAlgId TemplateHashAlgorithm { get; }

    /// <summary>Kernel index of <c>Entries[0]</c>.</summary>
    public int FirstIndex { get; }

    public IReadOnlyList<ImaEntry> Entries { get; }

    /// <summary>
    /// Parses either form: ASCII when the input starts like <c>10 </c> or <c> 9 </c> followed by hex,
    /// binary otherwise (a binary record starts with a little-endian PCR index, so with a control byte).
    /// </summary>
    public static ImaLog Parse(ReadOnlyMemory<byte> input, ImaParseOptions? options = null)
    {
        options ??= new ImaParseOptions();
        var algorithm = options.TemplateHashAlgorithm ?? AlgorithmFromFileName(options.FileName);
        if (LooksAscii(input.Span))
        {
            return ImaAsciiLogParser.Parse(input, options with { TemplateHashAlgorithm = algorithm });
        }

        return algorithm is { } alg
            ? ImaBinaryLogParser.Parse(input, alg, options)
            : ImaBinaryLogParser.ParseDetectingHash(input, options);
    }

    /// <summary>
    /// <c>binary_runtime_measurements_sha256</c> and <c>ascii_runtime_measurements_sha256</c> carry
    /// template hashes in that algorithm; the unsuffixed files carry SHA-1 (ima_fs.c create_securityfs_measurement_lists).
    /// </summary>
    public static TpmAlgId? AlgorithmFromFileName(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return null;
        }

        var name = Path.GetFileName(fileName);
        if (!name.Contains("runtime_measurements", StringComparison.Ordinal))
        {
            return null;
        }

        var underscore = name.LastIndexOf('_');
        var suffix = name[(underscore + 1)..];
        if (suffix == "measurements")
        {
            return TpmAlgId.Sha1;
        }

        return ImaHashAlgorithms.TryGetTpmAlgorithm(suffix.Replace('_', '-'), out var alg) ? alg : null;
    }

    private static bool LooksAscii(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return false;
        }

        var head = input[..Math.Min(input.Length, 8)];
        var i = 0;
        while (i < head.Length && head[i] == (byte)' ')
        {
            i++;
        }

        var digits = 0;
        while (i < head.Length && head[i] is >= (byte)'0' and <= (byte)'9')
        {
            i++;
            digits++;
        }

        return digits > 0 && (i == head.Length || head[i] == (byte)' ');
    }
}
