namespace Attest.Tpm.Verification;

/// <summary>
/// The outcome of a check: every failure (not just the first) and warnings that do not fail it.
/// "The machine failed attestation" is a result, never an exception.
/// </summary>
public class VerificationResult
{
    private readonly List<VerificationFailure> _failures = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<VerificationFailure> Failures => _failures;

    public IReadOnlyList<string> Warnings => _warnings;

    public bool Passed => _failures.Count == 0;

    public bool Has(string code) => _failures.Exists(f => f.Code == code);

    public VerificationFailure Fail(string code, string message, string? subject = null, string? expected = null, string? actual = null)
    {
        var failure = new VerificationFailure(code, message) { Subject = subject, Expected = expected, Actual = actual };
        _failures.Add(failure);
        return failure;
    }

    public void Add(VerificationFailure failure) => _failures.Add(failure);

    public void Warn(string warning) => _warnings.Add(warning);

    public void Merge(VerificationResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _failures.AddRange(other._failures);
        _warnings.AddRange(other._warnings);
    }
}
