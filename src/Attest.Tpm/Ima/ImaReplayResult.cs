namespace Attest.Tpm.Ima;

public sealed class ImaReplayResult
{
    internal ImaReplayResult(ImaPcrState state, IReadOnlyList<ImaFailure> failures, int firstEntry, int unquotedEntries, IReadOnlyList<int> unverifiedEntries)
    {
        State = state;
        Failures = failures;
        FirstEntry = firstEntry;
        UnquotedEntries = unquotedEntries;
        UnverifiedEntries = unverifiedEntries;
    }

    public bool Succeeded => Failures.Count == 0;

    public IReadOnlyList<ImaFailure> Failures { get; }

    /// <summary>
    /// The state to store for the next incremental replay: entries covered and PCR values after them.
    /// With a quote and <see cref="ImaReplayOptions.AllowUnquotedTail"/>, it stops at the quoted point.
    /// </summary>
    public ImaPcrState State { get; }

    /// <summary>Index of the first entry replayed in this call.</summary>
    public int FirstEntry { get; }

    /// <summary>Entries past the quoted point (only with <see cref="ImaReplayOptions.AllowUnquotedTail"/>): not proven this time.</summary>
    public int UnquotedEntries { get; }

    /// <summary>Entries whose logged template hash could not be checked against their data (unknown template in an ASCII log).</summary>
    public IReadOnlyList<int> UnverifiedEntries { get; }
}
