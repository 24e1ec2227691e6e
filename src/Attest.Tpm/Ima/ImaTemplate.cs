namespace Attest.Tpm.Ima;

/// <summary>How a template field's bytes are laid out and printed (enum data_formats, ima_template_lib.c).</summary>
public enum ImaFieldFormat
{
    /// <summary>Raw digest bytes (the <c>d</c> field); ASCII form is hex.</summary>
    Digest,

    /// <summary><c>[type:]algo:</c> + NUL + digest (<c>d-ng</c>, <c>d-ngv2</c>, <c>d-modsig</c>); ASCII form is <c>[type:]algo:hex</c>.</summary>
    DigestWithAlgo,

    /// <summary>NUL-terminated string (<c>n</c>, <c>n-ng</c>, <c>xattrnames</c>); ASCII form is the string.</summary>
    String,

    /// <summary>Opaque bytes (<c>sig</c>, <c>buf</c>, <c>modsig</c>, ...); ASCII form is hex.</summary>
    Hex,

    /// <summary>Little-endian unsigned integer of 2 or 4 bytes (<c>iuid</c>, <c>igid</c>, <c>imode</c>); ASCII form is decimal.</summary>
    UInt,
}

/// <summary>One field of a template: its id (as in the template format string) and how it is encoded.</summary>
public sealed record ImaTemplateField(string Id, ImaFieldFormat Format, int UIntSize = 0)
{
    /// <summary>Name of the field in errors about an ASCII log (built once, not per entry).</summary>
    internal string AsciiErrorName { get; } = "ima_ascii." + Id;
}

/// <summary>
/// A template descriptor: the name as it appears in the log and its ordered fields. The built-in
/// names come from defined_templates[] in ima_template.c; a custom <c>ima_template_fmt=</c> template
/// appears in the log under its format string (e.g. <c>d-ng|n-ng|buf</c>) and is understood when
/// every field id is known.
/// </summary>
public sealed class ImaTemplate
{
    public const string ImaName = "ima";

    private static readonly Dictionary<string, ImaTemplateField> KnownFields = new(StringComparer.Ordinal)
    {
        ["d"] = new("d", ImaFieldFormat.Digest),
        ["n"] = new("n", ImaFieldFormat.String),
        ["d-ng"] = new("d-ng", ImaFieldFormat.DigestWithAlgo),
        ["d-ngv2"] = new("d-ngv2", ImaFieldFormat.DigestWithAlgo),
        ["n-ng"] = new("n-ng", ImaFieldFormat.String),
        ["sig"] = new("sig", ImaFieldFormat.Hex),
        ["buf"] = new("buf", ImaFieldFormat.Hex),
        ["d-modsig"] = new("d-modsig", ImaFieldFormat.DigestWithAlgo),
        ["modsig"] = new("modsig", ImaFieldFormat.Hex),
        ["evmsig"] = new("evmsig", ImaFieldFormat.Hex),
        ["iuid"] = new("iuid", ImaFieldFormat.UInt, 4),
        ["igid"] = new("igid", ImaFieldFormat.UInt, 4),
        ["imode"] = new("imode", ImaFieldFormat.UInt, 2),
        ["xattrnames"] = new("xattrnames", ImaFieldFormat.String),
        ["xattrlengths"] = new("xattrlengths", ImaFieldFormat.Hex),
        ["xattrvalues"] = new("xattrvalues", ImaFieldFormat.Hex),
    };

    private static readonly Dictionary<string, ImaTemplate> BuiltIn = new(StringComparer.Ordinal)
    {
        ["ima"] = Build("ima", "d|n"),
        ["ima-ng"] = Build("ima-ng", "d-ng|n-ng"),
        ["ima-sig"] = Build("ima-sig", "d-ng|n-ng|sig"),
        ["ima-ngv2"] = Build("ima-ngv2", "d-ngv2|n-ng"),
        ["ima-sigv2"] = Build("ima-sigv2", "d-ngv2|n-ng|sig"),
        ["ima-buf"] = Build("ima-buf", "d-ng|n-ng|buf"),
        ["ima-modsig"] = Build("ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig"),
        ["evm-sig"] = Build("evm-sig", "d-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode"),
    };

    private ImaTemplate(string name, IReadOnlyList<ImaTemplateField> fields)
    {
        Name = name;
        Fields = fields;
        IsImaTemplate = name == ImaName;
        DigestField = IndexOf("d", "d-ng", "d-ngv2");
        NameField = IndexOf("n", "n-ng");
        SignatureField = IndexOf("sig");
        BufferField = IndexOf("buf");
        ModSigDigestField = IndexOf("d-modsig");
        ModSigField = IndexOf("modsig");
    }

    public string Name { get; }

    public IReadOnlyList<ImaTemplateField> Fields { get; }

    /// <summary>
    /// The original <c>ima</c> template has its own binary layout and template-hash rule
    /// (ima_fs.c ima_measurements_show, ima_crypto.c ima_calc_field_array_hash_tfm).
    /// </summary>
    public bool IsImaTemplate { get; }

    internal int DigestField { get; }

    internal int NameField { get; }

    internal int SignatureField { get; }

    internal int BufferField { get; }

    internal int ModSigDigestField { get; }

    internal int ModSigField { get; }

    /// <summary>The descriptor for a template name from a log, or null when a field id is unknown.</summary>
    public static ImaTemplate? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (BuiltIn.TryGetValue(name, out var template))
        {
            return template;
        }

        return name.Contains('|', StringComparison.Ordinal) ? TryBuild(name, name) : null;
    }

    private static ImaTemplate Build(string name, string format) =>
        TryBuild(name, format) ?? throw new InvalidOperationException($"built-in template {name} uses an unknown field");

    private static ImaTemplate? TryBuild(string name, string format)
    {
        var ids = format.Split('|');
        var fields = new ImaTemplateField[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!KnownFields.TryGetValue(ids[i], out var field))
            {
                return null;
            }

            fields[i] = field;
        }

        return new ImaTemplate(name, fields);
    }

    private int IndexOf(params string[] ids)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Array.IndexOf(ids, Fields[i].Id) >= 0)
            {
                return i;
            }
        }

        return -1;
    }
}
