using Attest.Contracts.Verifier;
using Attest.Hooks.Services;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;

namespace Attest.Hooks.Node;

/// <summary>
/// Flow 2 on the node: take a session (the conductor's, or a new one), quote its nonce over its PCRs, and push the
/// quote, PCR values and logs. The verdict printed here is informational: the conductor reads its own from the verifier.
/// </summary>
public static class NodeAttestation
{
    public sealed record Options(string StateDirectory, string Purpose = "manual", string? SessionId = null, string? EventLogPath = null, string? ImaLogPath = null);

    public static async Task<Verdict> AttestAsync(TpmNode tpm, ServiceClient verifier, Options options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(options);
        var state = NodeState.Load(options.StateDirectory);
        if (state is not { Activated: true })
        {
            throw new InvalidOperationException($"this node is not enrolled (no activated AK in {options.StateDirectory}): run 'attest-hook enroll' first");
        }

        var session = options.SessionId is null
            ? await verifier.PostAsync<AttestationSession>($"v1/nodes/{Uri.EscapeDataString(state.NodeId)}/sessions", new OpenSessionRequest(options.Purpose), ct)
            : await verifier.GetAsync<AttestationSession>($"v1/sessions/{Uri.EscapeDataString(options.SessionId)}", ct);
        var selection = ToSelection(session.Pcrs);

        var ak = await tpm.LoadAttestationKeyAsync(state, ct);
        (byte[] Attest, byte[] Signature, PcrValues Values) quote;
        try
        {
            quote = await tpm.QuoteAsync(ak, session.Nonce, selection, ct);
        }
        finally
        {
            await tpm.FlushAsync(ak);
        }

        var submission = new EvidenceSubmission(
            quote.Attest,
            quote.Signature,
            quote.Values.ToHex(),
            ReadOptional(options.EventLogPath),
            ReadOptional(options.ImaLogPath));
        return await verifier.PostAsync<Verdict>($"v1/sessions/{Uri.EscapeDataString(session.SessionId)}/evidence", submission, ct);
    }

    private static PcrSelection ToSelection(IReadOnlyDictionary<string, IReadOnlyList<int>> pcrs) =>
        new(pcrs.Select(bank => TpmAlgNames.TryParseHash(bank.Key, out var hash)
            ? new PcrBankSelection(hash, bank.Value.Order().ToArray())
            : throw new InvalidOperationException($"the verifier asked for an unknown PCR bank '{bank.Key}'")));

    /// <summary>Logs are optional evidence: a node without IMA (or securityfs) still attests its boot.</summary>
    private static byte[]? ReadOptional(string? path) => path is not null && File.Exists(path) ? File.ReadAllBytes(path) : null;
}
