using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>Stable failure codes of IMA log verification; documented in docs/decisions/0004-ima-log.md.</summary>
public static class ImaFailureCodes
{
    /// <summary>An entry's template hash is not the hash of its template data (the entry was edited).</summary>
    public const string TemplateHashMismatch = "ima.template_hash_mismatch";

    /// <summary>The replayed PCR differs from the quoted one (entries edited, removed, inserted or reordered).</summary>
    public const string PcrMismatch = "ima.pcr_mismatch";

    /// <summary>A bank's digest of an entry cannot be computed (ASCII entry of an unknown template).</summary>
    public const string BankNotComputable = "ima.bank_not_computable";

    /// <summary>A bank's hash algorithm is not available in this process (e.g. SM3).</summary>
    public const string AlgorithmUnsupported = "ima.algorithm_unsupported";

    /// <summary>The stored incremental state has a bank the replay needs missing.</summary>
    public const string StateBankMissing = "ima.state_bank_missing";

    /// <summary>The log starts after the stored state's entry count: entries in between are missing.</summary>
    public const string LogGap = "ima.log_gap";

    /// <summary>The log ends before the stored state's entry count: it shrank (reboot, or a different log).</summary>
    public const string LogShorterThanState = "ima.log_shorter_than_state";

    /// <summary>More failures than are worth listing; the rest were not recorded.</summary>
    public const string TooManyFailures = "ima.too_many_failures";
}

/// <summary>One verification failure: a stable code, a message for people, and what it concerns.</summary>
public sealed record ImaFailure(string Code, string Message)
{
    public int? EntryIndex { get; init; }

    public uint? Pcr { get; init; }

    public TpmAlgId? Bank { get; init; }

    /// <summary>What the evidence says it should be (the quoted PCR, the logged template hash), lower-case hex.</summary>
    public string? Expected { get; init; }

    /// <summary>What the replay computed, lower-case hex.</summary>
    public string? Actual { get; init; }
}
