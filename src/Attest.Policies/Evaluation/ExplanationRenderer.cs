using System.Text;

namespace Attest.Policies.Evaluation;

/// <summary>Renders a verdict for people: per finding, the rule and where it is written, the event, expected vs actual, and what to do.</summary>
public static class ExplanationRenderer
{
    public static string Render(PolicyVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var text = new StringBuilder();
        foreach (var note in verdict.Notes)
        {
            text.Append("note: ").AppendLine(note);
        }

        if (verdict.Passed)
        {
            return text.AppendLine("PASS: every policy rule accepts the evidence").ToString();
        }

        text.Append("FAIL: ").Append(verdict.Findings.Count).AppendLine(verdict.Findings.Count == 1 ? " rule rejects the evidence" : " findings reject the evidence");
        foreach (var f in verdict.Findings)
        {
            text.AppendLine();
            text.Append("  ").Append(f.Code).Append(": ").AppendLine(f.Message);
            text.Append("    rule:     ").Append(f.Policy).Append(' ').Append(f.Rule.Length == 0 ? "(whole policy)" : f.Rule).Append(" at ").AppendLine(f.Location);
            if (f.Event is { } e)
            {
                text.Append("    event:    ").AppendLine(e.ToString());
            }

            if (f.Expected is not null)
            {
                text.Append("    expected: ").AppendLine(f.Expected);
            }

            if (f.Actual is not null)
            {
                text.Append("    actual:   ").AppendLine(f.Actual);
            }

            if (PolicyFailureCodes.Catalog.TryGetValue(f.Code, out var help))
            {
                text.Append("    what to do: ").AppendLine(help.Remedy);
            }
        }

        return text.ToString();
    }
}
