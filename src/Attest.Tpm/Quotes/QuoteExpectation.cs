using Attest.Tpm.Pcrs;

namespace Attest.Tpm.Quotes;

/// <summary>What the verifier asked for. A null member is not checked (the CLI may verify a bare signature).</summary>
public sealed record QuoteExpectation
{
    /// <summary>The nonce issued for this attestation session (qualifying data).</summary>
    public ReadOnlyMemory<byte>? Nonce { get; init; }

    /// <summary>The PCR selection the verifier asked to be quoted.</summary>
    public PcrSelection? Selection { get; init; }

    /// <summary>The PCR values the node reported; the quote's PCR digest must be their digest.</summary>
    public PcrValues? PcrValues { get; init; }
}
