using System.Globalization;
using Attest.Policies.Documents;
using Attest.Policies.Evaluation;

namespace Attest.Policies.Loading;

/// <summary>
/// What a schema cannot say: digests that cannot exist, keys that do not parse, and rules that contradict each
/// other (a policy no machine could pass is an authoring mistake, not a strict policy).
/// </summary>
internal static class SemanticValidator
{
    public static IReadOnlyList<PolicyError> Validate(Policy policy)
    {
        var errors = new List<PolicyError>();
        void Add(string code, string pointer, string message)
        {
            var at = policy.Map.Find(pointer);
            errors.Add(new PolicyError(code, message, pointer, at?.Line, at?.Column));
        }

        void Digests(IReadOnlyList<string>? digests, string pointer, bool anyAlgorithm = false)
        {
            for (var i = 0; i < (digests?.Count ?? 0); i++)
            {
                if (DigestText.Problem(digests![i], anyAlgorithm) is { } problem)
                {
                    Add(PolicyErrorCodes.InvalidDigest, $"{pointer}/{i}", problem);
                }
            }
        }

        if (policy.MeasuredBoot is { } mb)
        {
            MeasuredBoot(mb, Add, Digests);
        }

        if (policy.Runtime is { } rt)
        {
            Runtime(rt, Add, Digests);
        }

        return errors;
    }

    private static void MeasuredBoot(MeasuredBootRules mb, Action<string, string, string> add, Action<IReadOnlyList<string>?, string, bool> digests)
    {
        var exact = mb.Pcrs?.Exact ?? [];
        var seen = new Dictionary<(string, int), string>();
        for (var i = 0; i < exact.Count; i++)
        {
            var e = exact[i];
            var expectedLength = e.Bank switch { "sha1" => 40, "sha256" => 64, "sha384" => 96, _ => 128 };
            if (e.Value.Length != expectedLength)
            {
                add(PolicyErrorCodes.InvalidDigest, $"/pcrs/exact/{i}/value", $"a {e.Bank} PCR value has {expectedLength} hex digits, this one has {e.Value.Length}");
            }

            if (mb.PcrBanks is { } banks && !banks.Contains(e.Bank))
            {
                add(PolicyErrorCodes.Contradiction, $"/pcrs/exact/{i}/bank", $"bank {e.Bank} is not in pcrBanks ({string.Join(", ", banks)})");
            }

            if (seen.TryGetValue((e.Bank, e.Pcr), out var other) && !string.Equals(other, e.Value, StringComparison.OrdinalIgnoreCase))
            {
                add(PolicyErrorCodes.Contradiction, $"/pcrs/exact/{i}", $"{e.Bank} PCR {e.Pcr} is given two different values");
            }

            seen[(e.Bank, e.Pcr)] = e.Value;
        }

        digests(mb.Firmware?.BlobDigests, "/firmware/blobDigests", false);
        digests(mb.BootApplications?.Digests, "/bootApplications/digests", false);
        digests(mb.Kernel?.Initrds?.Digests, "/kernel/initrds/digests", false);
        if (mb.Kernel?.CommandLine is { } cl)
        {
            var required = cl.Required ?? [];
            var forbidden = (cl.Forbidden ?? []).Select(p => new KernelArgument(p)).ToArray();
            for (var i = 0; i < required.Count; i++)
            {
                var example = required[i].Replace("*", "x", StringComparison.Ordinal).Replace('?', 'x');
                if (forbidden.FirstOrDefault(f => f.Matches(example) || f.Pattern == required[i]) is { } f)
                {
                    add(PolicyErrorCodes.Contradiction, $"/kernel/commandLine/required/{i}", $"argument '{required[i]}' is both required and forbidden (by '{f.Pattern}')");
                }
            }

            var allowedList = cl.Allowed ?? [];
            for (var i = 0; i < allowedList.Count; i++)
            {
                var example = allowedList[i].Replace("*", "x", StringComparison.Ordinal).Replace('?', 'x');
                if (forbidden.FirstOrDefault(f => f.Pattern == allowedList[i] || f.Matches(example)) is { } f)
                {
                    add(PolicyErrorCodes.Contradiction, $"/kernel/commandLine/allowed/{i}", $"argument '{allowedList[i]}' is both allowed and forbidden");
                }
            }
        }
    }

    private static void Runtime(RuntimeRules rt, Action<string, string, string> add, Action<IReadOnlyList<string>?, string, bool> digests)
    {
        foreach (var (path, list) in rt.Digests ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            digests(list, $"/digests/{SourceMap.Escape(path)}", true);
        }

        digests(rt.AllowedAnywhere, "/allowedAnywhere", true);
        digests(rt.Denied, "/denied", true);
        for (var i = 0; i < (rt.Buffers?.Count ?? 0); i++)
        {
            digests(rt.Buffers![i].Digests, $"/buffers/{i}/digests", true);
        }

        var denied = DigestText.Set(rt.Denied);
        if (denied.Count > 0)
        {
            var allowedAnywhere = rt.AllowedAnywhere ?? [];
            for (var i = 0; i < allowedAnywhere.Count; i++)
            {
                if (denied.Contains(DigestText.Normalize(allowedAnywhere[i])))
                {
                    add(PolicyErrorCodes.Contradiction, $"/allowedAnywhere/{i}", $"digest {allowedAnywhere[i]} is both allowed and denied");
                }
            }

            foreach (var (path, list) in rt.Digests ?? new Dictionary<string, IReadOnlyList<string>>())
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (denied.Contains(DigestText.Normalize(list[i])))
                    {
                        add(PolicyErrorCodes.Contradiction, $"/digests/{SourceMap.Escape(path)}/{i}", $"digest {list[i]} is both allowed for {path} and denied");
                    }
                }
            }
        }

        if (rt.Mode == RuntimeModes.Denylist && denied.Count == 0 && (rt.Digests?.Count ?? 0) == 0)
        {
            add(PolicyErrorCodes.Contradiction, "/mode", "a denylist policy with no denied digests and no per-path digests rejects nothing");
        }

        for (var i = 0; i < (rt.TrustedKeys?.Count ?? 0); i++)
        {
            var key = rt.TrustedKeys![i];
            if (ImaSignatures.ImportKey(key.PublicKey) is null)
            {
                add(PolicyErrorCodes.InvalidKey, $"/trustedKeys/{i}/publicKey", "not a PEM public key or certificate (RSA or EC)");
            }
            else if (ImaSignatures.KeyIdOf(key.PublicKey) is { } id && !string.Equals(id, key.KeyId, StringComparison.OrdinalIgnoreCase))
            {
                add(PolicyErrorCodes.InvalidKey, $"/trustedKeys/{i}/keyId", string.Create(CultureInfo.InvariantCulture, $"the certificate's key id is {id}, not {key.KeyId}"));
            }
        }

        foreach (var (glob, pointer) in (rt.Exclude ?? []).Select((g, i) => (g, $"/exclude/{i}")))
        {
            if (!glob.StartsWith('/') && !glob.StartsWith('*'))
            {
                add(PolicyErrorCodes.InvalidPattern, pointer, $"'{glob}' is not an absolute path glob: IMA logs absolute paths");
            }
        }
    }
}
