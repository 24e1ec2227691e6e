using System.Buffers.Binary;
using System.Text;
using Attest.Tpm.EventLog;

namespace Attest.Policies.Evaluation;

/// <summary>Finds the verified event behind a fact, so a finding can name it (index, PCR, type).</summary>
internal sealed class EventIndex
{
    private readonly Dictionary<int, TcgEvent> _byIndex = [];
    private readonly IReadOnlyList<TcgEvent> _events;

    public EventIndex(IReadOnlyList<TcgEvent> events)
    {
        _events = events;
        foreach (var e in events)
        {
            _byIndex[e.Index] = e;
        }
    }

    public EventRef? At(int index) => _byIndex.TryGetValue(index, out var e) ? Ref(e) : null;

    public EventRef? First(TcgEventType type) => _events.FirstOrDefault(e => e.Type == type) is { } e ? Ref(e) : null;

    /// <summary>The EV_EFI_VARIABLE_DRIVER_CONFIG event measuring <paramref name="name"/> (UEFI_VARIABLE_DATA, PFP 1.06 §10.4.3).</summary>
    public EventRef? Variable(string name)
    {
        foreach (var e in _events)
        {
            if (e.Type == TcgEventType.EfiVariableDriverConfig && VariableName(e.Data) == name)
            {
                return Ref(e);
            }
        }

        return null;
    }

    /// <summary>The first event on PCR 8, 9 or 12 whose text contains <paramref name="text"/> (command lines are logged as ASCII or UTF-16).</summary>
    public EventRef? WithText(string text)
    {
        var utf16 = Encoding.Unicode.GetBytes(text);
        var ascii = Encoding.ASCII.GetBytes(text);
        foreach (var e in _events)
        {
            if (e.PcrIndex is 8 or 9 or 12 && (e.Data.AsSpan().IndexOf(ascii) >= 0 || e.Data.AsSpan().IndexOf(utf16) >= 0))
            {
                return Ref(e);
            }
        }

        return null;
    }

    private static string? VariableName(byte[] data)
    {
        if (data.Length < 32)
        {
            return null;
        }

        var chars = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16));
        return chars > 64 || 32 + ((int)chars * 2) > data.Length ? null : Encoding.Unicode.GetString(data, 32, (int)chars * 2).TrimEnd('\0');
    }

    private static EventRef Ref(TcgEvent e) => new(e.Index, e.PcrIndex, e.TypeName);
}
