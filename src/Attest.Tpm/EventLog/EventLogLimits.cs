namespace Attest.Tpm.EventLog;

/// <summary>
/// Caps that keep a hostile log from costing unbounded memory or time. Real logs are tens of
/// kilobytes with a few hundred events; these leave two orders of magnitude of headroom.
/// Exceeding one is a <see cref="Wire.TpmFormatException"/>, not a truncated result.
/// </summary>
public static class EventLogLimits
{
    /// <summary>Whole log (the kernel exposes at most a few hundred KiB).</summary>
    public const int MaxLogBytes = 16 * 1024 * 1024;

    /// <summary>Event data of one event.</summary>
    public const int MaxEventDataBytes = 1024 * 1024;

    /// <summary>Events in one log.</summary>
    public const int MaxEvents = 100_000;

    /// <summary>Algorithms in the Spec ID header and digests per event (the TCG registry has far fewer hashes).</summary>
    public const int MaxAlgorithms = 16;

    /// <summary>Largest digest (SHA-512); a header claiming more is lying.</summary>
    public const int MaxDigestBytes = 64;

    /// <summary>PCRs a PC Client TPM has (PC Client PTP: 24); events for higher indices are kept but not replayed.</summary>
    public const int PcrCount = 24;
}
