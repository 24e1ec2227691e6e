namespace Attest.Tpm.Wire;

/// <summary>
/// The one exception for malformed TPM or log bytes: says which structure/field was bad and at
/// which byte offset of the input, so an operator can find it in a hex dump.
/// </summary>
public sealed class TpmFormatException : Exception
{
    public TpmFormatException(string field, int offset, string problem)
        : base($"malformed {field} at offset {offset}: {problem}")
    {
        Field = field;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>Structure and field, e.g. <c>TPMT_PUBLIC.unique.rsa</c>.</summary>
    public string Field { get; }

    /// <summary>Byte offset into the original input where the problem was found.</summary>
    public int Offset { get; }

    public string Problem { get; }
}
