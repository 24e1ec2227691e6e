using System.Text.Json.Serialization;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.EventLog;

/// <summary>Stable failure codes of event-log verification (documented in docs/decisions/0003-event-log-trust.md).</summary>
public static class EventLogFailureCodes
{
    /// <summary>A quoted PCR differs from what the log replays to.</summary>
    public const string PcrMismatch = "eventlog.pcr_mismatch";

    /// <summary>The quote covers a bank the log has no digests for.</summary>
    public const string BankMissing = "eventlog.bank_missing";

    /// <summary>The log's bank uses a hash this process cannot compute (e.g. SM3): it cannot be replayed.</summary>
    public const string BankUnsupported = "eventlog.bank_unsupported";

    /// <summary>An event on a quoted PCR has no digest for a quoted bank: that PCR cannot be replayed in that bank.</summary>
    public const string DigestMissing = "eventlog.digest_missing";

    /// <summary>A quoted PCR value has the wrong size for its bank, or its index is out of range.</summary>
    public const string PcrValueInvalid = "eventlog.pcr_value_invalid";

    /// <summary>
    /// An event whose digest the spec defines as the hash of its own data (separators, EFI actions, UEFI
    /// variables, GPT) carries data that does not hash to its replayed digest: the data was altered.
    /// </summary>
    public const string EventDataMismatch = "eventlog.event_data_mismatch";

    /// <summary>The quote covers no PCR at all: nothing in the log can be trusted.</summary>
    public const string NothingQuoted = "eventlog.nothing_quoted";
}

/// <summary>One verification failure: a stable code, the bank/PCR/event it concerns and expected vs actual.</summary>
/// <param name="Expected">For a PCR mismatch, the quoted value (what the TPM holds), lowercase hex.</param>
/// <param name="Actual">For a PCR mismatch, the value the log replays to, lowercase hex.</param>
/// <param name="LastMatchingEventIndex">
/// For a PCR mismatch, when the quoted value equals the replay part-way through the log: the index of the
/// last event included (-1 for the initial value). The events after it are in the log but not in the TPM.
/// </param>
public sealed record EventLogFailure(
    string Code,
    string Message,
    [property: JsonConverter(typeof(JsonStringEnumConverter<TpmAlgId>))] TpmAlgId? Bank = null,
    int? Pcr = null,
    string? Expected = null,
    string? Actual = null,
    int? EventIndex = null,
    int? LastMatchingEventIndex = null);

/// <summary>A PCR in one bank.</summary>
public sealed record PcrRef(
    [property: JsonConverter(typeof(JsonStringEnumConverter<TpmAlgId>))] TpmAlgId Bank,
    int Pcr)
{
    public override string ToString() => $"{Bank.Name()}:{Pcr}";
}
