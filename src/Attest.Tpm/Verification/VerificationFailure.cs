namespace Attest.Tpm.Verification;

/// <summary>
/// One reason evidence was not accepted. <see cref="Code"/> is stable (documented in docs/failure-codes.md)
/// so that operators, policies and provisioning hooks can act on it; the message is for people.
/// </summary>
public sealed record VerificationFailure(string Code, string Message)
{
    /// <summary>What the failure concerns, e.g. <c>sha256 PCR 7</c> or <c>event 12</c>.</summary>
    public string? Subject { get; init; }

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    public override string ToString()
    {
        var text = $"{Code}: {Message}";
        if (Expected is not null || Actual is not null)
        {
            text += $" (expected {Expected ?? "-"}, actual {Actual ?? "-"})";
        }

        return text;
    }
}
