using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>How each bank is extended for an entry.</summary>
public enum ImaBankDigestRule
{
    /// <summary>
    /// Kernel 5.8 and later: every bank is extended with the template hash computed in that bank's
    /// algorithm (ima_crypto.c ima_calc_field_array_hash; ima_queue.c ima_pcr_extend).
    /// </summary>
    PerBank,

    /// <summary>
    /// Kernels before 5.8: every bank is extended with the SHA-1 template hash, zero-padded to the bank's
    /// size (tpm_pcr_extend took one SHA-1 digest); a violation is 20 bytes of 0xFF, zero-padded.
    /// </summary>
    PaddedSha1,
}

public sealed record ImaReplayOptions
{
    /// <summary>Banks to replay; null = those of <see cref="Start"/>, else the log's template-hash bank. Banks of <see cref="ExpectedPcrs"/> are always added.</summary>
    public IReadOnlyList<TpmAlgId>? Banks { get; init; }

    /// <summary>
    /// Incremental evaluation: the state stored after entry N-1. Entries before N are skipped (not re-checked);
    /// replay continues from these PCR values. Null = from entry 0 with zeroed PCRs.
    /// </summary>
    public ImaPcrState? Start { get; init; }

    /// <summary>Quoted PCR values to check the replay against (per bank, per PCR); null = only replay.</summary>
    public IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>>? ExpectedPcrs { get; init; }

    /// <summary>
    /// Accept a log that goes past the quote: the kernel may add entries between the quote and reading
    /// the log. Verification then covers the longest prefix whose replay equals the quoted PCRs, and the
    /// returned state stops there, so the rest is checked next time. Needs <see cref="ExpectedPcrs"/>.
    /// </summary>
    public bool AllowUnquotedTail { get; init; }

    /// <summary>Check each entry's logged template hash against its template data (violations excepted).</summary>
    public bool VerifyTemplateHashes { get; init; } = true;

    public ImaBankDigestRule BankDigestRule { get; init; } = ImaBankDigestRule.PerBank;

    /// <summary>Failures recorded before the rest are summarised as one <see cref="ImaFailureCodes.TooManyFailures"/>.</summary>
    public int MaxFailures { get; init; } = 100;
}
