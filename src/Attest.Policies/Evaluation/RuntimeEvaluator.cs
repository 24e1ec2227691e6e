using System.Globalization;
using System.Security.Cryptography;
using Attest.Policies.Documents;
using Attest.Tpm.Ima;

namespace Attest.Policies.Evaluation;

/// <summary>Judges a runtime (IMA) policy against the IMA entries proven by replay, and only those.</summary>
internal sealed class RuntimeEvaluator(Policy policy, CompiledRuntimeRules rules, PolicyEvidence evidence)
{
    private const string BootAggregate = "boot_aggregate";
    private readonly FindingSink _sink = new(policy);

    public IReadOnlyList<PolicyFinding> Evaluate()
    {
        if (evidence.ImaLog is not { } log || evidence.ImaProvenCount <= log.FirstIndex)
        {
            _sink.Add(PolicyFailureCodes.ImaLogMissing, "", "a runtime policy applies but no IMA entry was proven against PCR 10",
                expected: "an IMA log that replays to the quoted PCR 10", actual: evidence.ImaLog is null ? "no IMA log" : "no proven entry");
            return _sink.Findings;
        }

        var allowlist = rules.Rules.Mode == RuntimeModes.Allowlist;
        foreach (var entry in log.Entries)
        {
            if (entry.Index >= evidence.ImaProvenCount)
            {
                break;
            }

            Judge(entry, allowlist);
        }

        return _sink.Findings;
    }

    private void Judge(ImaEntry entry, bool allowlist)
    {
        var at = new EventRef(entry.Index, entry.Pcr, entry.TemplateName);
        if (entry.IsViolation)
        {
            if (!rules.Rules.AllowViolations)
            {
                _sink.Add(PolicyFailureCodes.ImaViolation, "/allowViolations", $"IMA violation for {entry.FileName ?? "(unknown)"}", at, expected: "no violation", actual: "violation");
            }

            return;
        }

        var path = entry.FileName ?? "";
        if (rules.IsExcluded(path))
        {
            return;
        }

        if (entry.Buffer is { Length: > 0 } buffer && !string.Equals(entry.TemplateName, "ima-sig", StringComparison.Ordinal))
        {
            Buffer(entry, path, buffer, at, allowlist);
            return;
        }

        if (entry.FileDigest is not { } digest)
        {
            if (allowlist)
            {
                _sink.Add(PolicyFailureCodes.ImaFileNotAllowed, "/mode", $"entry for {path} carries no file digest", at, expected: "a file digest", actual: entry.TemplateName);
            }

            return;
        }

        var hex = Convert.ToHexStringLower(digest.Digest.Span);
        if (rules.Denied.Contains(hex))
        {
            _sink.Add(PolicyFailureCodes.ImaDigestDenied, "/denied", $"{path} has a denied digest", at, expected: "not a denied digest", actual: digest.ToString());
            return;
        }

        var signature = Signature(entry, digest, at);
        if (signature == SignatureVerdict.Invalid)
        {
            return;
        }

        if (rules.PerPath.TryGetValue(path, out var allowed))
        {
            if (!allowed.Contains(hex) && !rules.Anywhere.Contains(hex) && signature != SignatureVerdict.Trusted)
            {
                _sink.Add(PolicyFailureCodes.ImaDigestNotAllowed, "/digests/" + Documents.SourceMap.Escape(path), $"{path} has a digest the policy does not allow", at,
                    expected: string.Join(" | ", allowed.Order(StringComparer.Ordinal).Take(3)) + (allowed.Count > 3 ? " …" : ""), actual: digest.ToString());
            }

            return;
        }

        if (allowlist && !rules.Anywhere.Contains(hex) && signature != SignatureVerdict.Trusted)
        {
            _sink.Add(PolicyFailureCodes.ImaFileNotAllowed, path == BootAggregate ? "/digests" : "/mode", $"{path} is not on the allowlist", at,
                expected: "a listed path and digest, an allowedAnywhere digest or a trusted signature", actual: $"{path} {digest}");
        }
    }

    private void Buffer(ImaEntry entry, string name, ReadOnlyMemory<byte> buffer, EventRef at, bool allowlist)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(buffer.Span));
        for (var i = 0; i < rules.Buffers.Length; i++)
        {
            if (rules.Buffers[i].Name.Matches(name))
            {
                if (!rules.Buffers[i].Digests.Contains(hex))
                {
                    _sink.Add(PolicyFailureCodes.ImaBufferNotAllowed, string.Create(CultureInfo.InvariantCulture, $"/buffers/{i}"), $"buffer '{name}' is not allowed", at,
                        expected: "a listed sha256 of the buffer", actual: $"sha256:{hex}");
                }

                return;
            }
        }

        if (allowlist)
        {
            _sink.Add(PolicyFailureCodes.ImaBufferNotAllowed, "/buffers", $"buffer '{name}' ({entry.TemplateName}) matches no buffers rule", at,
                expected: "a buffers rule for this name", actual: $"sha256:{hex}");
        }
    }

    private enum SignatureVerdict
    {
        None,
        Trusted,
        Invalid,
    }

    private SignatureVerdict Signature(ImaEntry entry, ImaDigest digest, EventRef at)
    {
        if (rules.Keys.Count == 0 || entry.SignatureHeader is not { } header)
        {
            return SignatureVerdict.None;
        }

        var keyId = header.KeyId.ToString("x8", CultureInfo.InvariantCulture);
        if (!rules.Keys.TryGetValue(keyId, out var keys))
        {
            return SignatureVerdict.None;
        }

        foreach (var (key, _) in keys)
        {
            if (ImaSignatures.Verify(key, entry.Signature.Span, digest.Digest.Span, header.HashAlgorithmName))
            {
                return SignatureVerdict.Trusted;
            }
        }

        _sink.Add(PolicyFailureCodes.ImaSignatureInvalid, string.Create(CultureInfo.InvariantCulture, $"/trustedKeys/{keys[0].Index}"),
            $"{entry.FileName} is signed with trusted key {keyId} but the signature does not verify", at, expected: $"a valid signature by {keyId}", actual: "invalid signature");
        return SignatureVerdict.Invalid;
    }
}
