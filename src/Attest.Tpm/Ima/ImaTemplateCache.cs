using System.Text;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Ima;

/// <summary>
/// Template names repeat on every entry of a log; this keeps the few distinct ones so that each entry
/// reuses one string and one descriptor instead of allocating and looking them up again.
/// </summary>
internal sealed class ImaTemplateCache
{
    private const int Capacity = 8;
    private readonly (byte[] Bytes, string Name, ImaTemplate? Template)[] _items = new (byte[], string, ImaTemplate?)[Capacity];
    private int _count;

    public (string Name, ImaTemplate? Template) Get(ReadOnlySpan<byte> name, int offset)
    {
        for (var i = 0; i < _count; i++)
        {
            if (name.SequenceEqual(_items[i].Bytes))
            {
                return (_items[i].Name, _items[i].Template);
            }
        }

        if (!IsPrintable(name))
        {
            throw new TpmFormatException("ima_entry.template_name", offset, "template name is not printable ASCII");
        }

        var text = Encoding.ASCII.GetString(name);
        var template = ImaTemplate.Find(text);
        if (_count < Capacity)
        {
            _items[_count++] = (name.ToArray(), text, template);
        }

        return (text, template);
    }

    public static bool IsPrintable(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
