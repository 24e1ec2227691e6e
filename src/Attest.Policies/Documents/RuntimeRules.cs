namespace Attest.Policies.Documents;

/// <summary>The typed form of a runtime (IMA) policy (policies/schema/runtime.schema.json).</summary>
public sealed record RuntimeRules
{
    /// <summary><c>allowlist</c>: every proven measurement must be accounted for; <c>denylist</c>: only listed digests fail.</summary>
    public string Mode { get; init; } = RuntimeModes.Allowlist;

    /// <summary>IMA "violations" (a file measured while open for write) hide what ran; refused unless allowed.</summary>
    public bool AllowViolations { get; init; }

    public IReadOnlyList<string>? Exclude { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Digests { get; init; }

    public IReadOnlyList<string>? AllowedAnywhere { get; init; }

    public IReadOnlyList<string>? Denied { get; init; }

    public IReadOnlyList<TrustedKey>? TrustedKeys { get; init; }

    public IReadOnlyList<BufferRule>? Buffers { get; init; }
}

public static class RuntimeModes
{
    public const string Allowlist = "allowlist";

    public const string Denylist = "denylist";
}

/// <summary>A key whose <c>ima-sig</c> signatures vouch for a file; <see cref="KeyId"/> is what the signature header names.</summary>
public sealed record TrustedKey(string KeyId, string PublicKey, string? Comment);

/// <summary>An <c>ima-buf</c> rule: buffers whose name matches <see cref="Name"/> (a keyring, kexec-cmdline …) must hash to one of <see cref="Digests"/>.</summary>
public sealed record BufferRule(string Name, IReadOnlyList<string> Digests);
