using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Ima;

namespace Attest.Policies.Evaluation;

/// <summary>
/// What policies judge: only proven things. <see cref="Facts"/> come from <see cref="EventLog"/>'s verified events;
/// IMA entries count only up to <see cref="ImaProvenCount"/> (the replay's proven state).
/// </summary>
public sealed record PolicyEvidence
{
    public IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> QuotedPcrs { get; init; } = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();

    public EventLogVerification? EventLog { get; init; }

    public BootFacts? Facts { get; init; }

    public ImaLog? ImaLog { get; init; }

    /// <summary>Absolute IMA entry count proven against PCR 10; entries at or past it are not judged.</summary>
    public int ImaProvenCount { get; init; }

    /// <summary>Why some evidence was taken on trust (offline tests without PCR values); shown with the verdict.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
