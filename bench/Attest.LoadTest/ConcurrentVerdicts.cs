using System.Collections.Concurrent;
using Attest.Contracts.Verifier;

namespace Attest.LoadTest;

/// <summary>Every verdict any client received (set-up, warm-up and measured), for the consistency check.</summary>
internal sealed class ConcurrentVerdicts
{
    private readonly ConcurrentBag<(string AttestationId, string SessionId, string Result)> _all = [];

    public void Add(Verdict verdict) => _all.Add((verdict.AttestationId, verdict.SessionId, verdict.Result));

    public IReadOnlyCollection<(string AttestationId, string SessionId, string Result)> All => _all;
}
