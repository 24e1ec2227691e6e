using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Ima;
using Attest.Tpm.Quotes;
using Attest.Tpm.Verification;

namespace Attest.Verifier.Evidence;

/// <summary>
/// Everything the pipeline established about one submission, for the checks and observers that build on it.
/// Only <see cref="EventLogVerification"/>'s verified events, <see cref="Facts"/> (made from them) and the IMA entries
/// covered by <see cref="ImaReplay"/> are proven; the rest is the node's word.
/// </summary>
public sealed record AttestationContext
{
    public required string AttestationId { get; init; }

    public required string NodeId { get; init; }

    public required string SessionId { get; init; }

    /// <summary>Why the session was opened (clean, deploy, firmware-update …).</summary>
    public required string Purpose { get; init; }

    /// <summary>The node as the registrar knows it (EK, active AK); null when not enrolled.</summary>
    public Contracts.Registrar.NodeRecord? Node { get; init; }

    public QuoteVerificationResult? Quote { get; init; }

    /// <summary>Values of the PCRs the session asked for; proven when the quote passed.</summary>
    public required IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> QuotedPcrs { get; init; }

    /// <summary><see cref="QuotedPcrs"/> in the API/storage form: bank name → PCR index → lowercase hex.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> QuotedPcrsHex { get; init; }

    public TcgEventLog? EventLog { get; init; }

    public EventLogVerification? EventLogVerification { get; init; }

    public BootFacts? Facts { get; init; }

    /// <summary>The comparable projection of <see cref="Facts"/> (see Baselines/MeasuredState).</summary>
    public required IReadOnlyDictionary<string, string> MeasuredState { get; init; }

    public ImaLog? ImaLog { get; init; }

    public ImaReplayResult? ImaReplay { get; init; }

    /// <summary>The firmware change window this attestation used, when firmware measurements changed under one.</summary>
    public Firmware.ChangeWindowUse? FirmwareWindow { get; init; }

    /// <summary>The node's previous attestation with a verified quote (counters, IMA state), if any.</summary>
    internal Storage.AttestationRow? Previous { get; init; }

    /// <summary>The failures so far (checks run in order and may read what came before).</summary>
    public required VerificationResult Result { get; init; }
}

/// <summary>
/// A check run on every submission after the built-in ones (policies, firmware re-measurement). It adds failures with
/// stable codes to the context's result; it must not throw for a node that fails.
/// </summary>
public interface IAttestationCheck
{
    /// <summary>Lower runs first; built-in checks end at 0.</summary>
    int Order { get; }

    Task CheckAsync(AttestationContext context, CancellationToken cancellationToken);
}

/// <summary>Told of every recorded verdict (revocation of credentials on failure, notifications).</summary>
public interface IAttestationObserver
{
    Task OnVerdictAsync(AttestationContext context, Contracts.Verifier.Verdict verdict, CancellationToken cancellationToken);
}
