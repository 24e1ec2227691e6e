using System.Globalization;

namespace Attest.Policies.Evaluation;

/// <summary>The event a finding concerns: its index in the log (TCG event log, or IMA entry index), PCR and type.</summary>
public sealed record EventRef(int Index, uint Pcr, string Type)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"event {Index} (PCR {Pcr}, {Type})");
}

/// <summary>
/// One rule that rejected the evidence: a stable <see cref="Code"/>, the policy and the rule (JSON pointer and
/// <c>file:line:column</c>), the event that broke it, and expected vs actual.
/// </summary>
public sealed record PolicyFinding(string Code, string Message)
{
    public string Policy { get; init; } = "";

    /// <summary>JSON pointer of the rule in the policy document (<c>/kernel/commandLine/forbidden/0</c>).</summary>
    public string Rule { get; init; } = "";

    /// <summary><c>file:line:column</c> of the rule.</summary>
    public string Location { get; init; } = "";

    public EventRef? Event { get; init; }

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    /// <summary>One line for logs and API subjects: which rule, where, and which event.</summary>
    public string Subject => Event is null ? $"{Policy} {Rule} ({Location})" : $"{Policy} {Rule} ({Location}); {Event}";
}
