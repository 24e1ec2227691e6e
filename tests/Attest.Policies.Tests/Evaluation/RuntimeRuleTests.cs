using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Policies.Evaluation;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Tests.Ima;
using static Attest.Policies.Tests.Support.Kit;

namespace Attest.Policies.Tests.Evaluation;

/// <summary>Every runtime (IMA) rule kind with an accepted and a rejected log, proven against PCR 10.</summary>
public sealed class RuntimeRuleTests
{
    private static readonly byte[] Bash = SHA256.HashData("bash v1"u8);
    private static readonly byte[] BashEvil = SHA256.HashData("bash evil"u8);
    private static readonly byte[] Aggregate = SHA256.HashData("pcrs 0-7"u8);

    private static ImaLogWriter Log() => new ImaLogWriter().AddBootAggregate(Aggregate).AddImaNg("/usr/bin/bash", Bash).AddImaNg("/tmp/build.sh", SHA256.HashData("tmp"u8));

    private static PolicyEvidence Evidence(ImaLogWriter log) => EvidenceBuilder.Build(null, log.ToBinary(HashAlgorithmName.SHA256),
        new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> { [TpmAlgId.Sha256] = new Dictionary<int, byte[]> { [10] = log.ExpectedPcr(HashAlgorithmName.SHA256) } },
        "binary_runtime_measurements_sha256");

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static string Allowlist(string extra = "") =>
        $"mode: allowlist\nexclude: [\"/tmp/**\"]\ndigests:\n  boot_aggregate: [\"sha256:{Hex(Aggregate)}\"]\n  /usr/bin/bash: [\"sha256:{Hex(Bash)}\"]\n" + extra;

    private static PolicyFinding Rejects(string rules, ImaLogWriter log, string code)
    {
        var finding = Assert.Single(Findings(Runtime(rules), Evidence(log)));
        Assert.Equal(code, finding.Code);
        return finding;
    }

    private static void Accepts(string rules, ImaLogWriter log) => Assert.Empty(Findings(Runtime(rules), Evidence(log)));

    [Fact]
    public void Allowlist_accepts_listed_files_and_rejects_an_unlisted_one()
    {
        Accepts(Allowlist(), Log());
        var f = Rejects(Allowlist(), Log().AddImaNg("/usr/bin/nc", SHA256.HashData("nc"u8)), PolicyFailureCodes.ImaFileNotAllowed);
        Assert.Equal(new EventRef(3, 10, "ima-ng"), f.Event);
        Assert.Contains("/usr/bin/nc", f.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Listed_file_with_another_digest_is_rejected_with_the_path_rule()
    {
        var log = new ImaLogWriter().AddBootAggregate(Aggregate).AddImaNg("/usr/bin/bash", BashEvil);
        var f = Rejects(Allowlist(), log, PolicyFailureCodes.ImaDigestNotAllowed);
        Assert.Equal("/digests/~1usr~1bin~1bash", f.Rule);
        Assert.Equal("test.yaml:9:3", f.Location);
        Assert.Equal($"sha256:{Hex(BashEvil)}", f.Actual);
    }

    [Fact]
    public void Excluded_paths_are_not_judged()
    {
        var withoutExclude = $"mode: allowlist\ndigests:\n  boot_aggregate: [\"{Hex(Aggregate)}\"]\n  /usr/bin/bash: [\"{Hex(Bash)}\"]\n";
        Rejects(withoutExclude, Log(), PolicyFailureCodes.ImaFileNotAllowed);
        Accepts(Allowlist(), Log());
    }

    [Fact]
    public void Allowed_anywhere_digests_accept_any_path()
    {
        Accepts($"mode: allowlist\nallowedAnywhere: [\"{Hex(Aggregate)}\", \"{Hex(Bash)}\", \"{Hex(SHA256.HashData("tmp"u8))}\"]\n", Log());
    }

    [Fact]
    public void Denylist_accepts_unknown_files_and_rejects_a_denied_digest()
    {
        var rules = $"mode: denylist\ndenied: [\"{Hex(BashEvil)}\"]\n";
        Accepts(rules, Log());
        var f = Rejects(rules, Log().AddImaNg("/usr/local/bin/x", BashEvil), PolicyFailureCodes.ImaDigestDenied);
        Assert.Equal("/denied", f.Rule);
    }

    [Fact]
    public void Violation_is_rejected_unless_allowed()
    {
        var log = Log().AddViolation("/var/log/x");
        Rejects(Allowlist(), log, PolicyFailureCodes.ImaViolation);
        Accepts(Allowlist("allowViolations: true\n"), log);
    }

    [Fact]
    public void Buffers_accept_a_listed_keyring_certificate_and_reject_another()
    {
        var cert = "a keyring certificate"u8.ToArray();
        var log = Log().AddImaBuf(".builtin_trusted_keys", cert);
        var rule = $"buffers:\n  - name: \".builtin_trusted_keys\"\n    digests: [\"{Hex(SHA256.HashData(cert))}\"]\n";
        Accepts(Allowlist(rule), log);
        var other = Log().AddImaBuf(".builtin_trusted_keys", "another certificate"u8.ToArray());
        var f = Rejects(Allowlist(rule), other, PolicyFailureCodes.ImaBufferNotAllowed);
        Assert.Equal("/buffers/0", f.Rule);
        Assert.Equal("ima-buf", f.Event!.Type);
    }

    [Fact]
    public void Trusted_key_signature_accepts_an_unlisted_file_and_a_forged_one_is_rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IMA signing", key, HashAlgorithmName.SHA256);
        var skid = new X509SubjectKeyIdentifierExtension(Convert.FromHexString("0102030405060708090a0b0c0d0e0f10aabbccdd"), false);
        request.CertificateExtensions.Add(skid);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var pem = cert.ExportCertificatePem().Replace("\n", "\n      ", StringComparison.Ordinal);
        var rules = Allowlist($"trustedKeys:\n  - keyId: aabbccdd\n    publicKey: |\n      {pem}\n");
        var tool = SHA256.HashData("signed tool"u8);
        var signature = ImaLogWriter.SignatureV2(4, 0xaabbccdd, key.SignHash(tool, DSASignatureFormat.Rfc3279DerSequence));
        Accepts(rules, Log().AddImaSig("/usr/bin/signed-tool", tool, signature));

        var forged = ImaLogWriter.SignatureV2(4, 0xaabbccdd, key.SignHash(SHA256.HashData("other"u8), DSASignatureFormat.Rfc3279DerSequence));
        var f = Rejects(rules, Log().AddImaSig("/usr/bin/signed-tool", tool, forged), PolicyFailureCodes.ImaSignatureInvalid);
        Assert.Equal("/trustedKeys/0", f.Rule);
    }

    [Fact]
    public void Entries_past_the_quoted_pcr_are_not_judged()
    {
        var log = Log().AddImaNg("/usr/bin/nc", SHA256.HashData("nc"u8));
        var quotedBeforeNc = log.ExpectedPcr(HashAlgorithmName.SHA256, count: 3);
        var evidence = EvidenceBuilder.Build(null, log.ToBinary(HashAlgorithmName.SHA256),
            new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> { [TpmAlgId.Sha256] = new Dictionary<int, byte[]> { [10] = quotedBeforeNc } },
            "binary_runtime_measurements_sha256");
        Assert.Empty(Findings(Runtime(Allowlist()), evidence));
    }

    [Fact]
    public void Runtime_policy_without_a_proven_log_rejects()
    {
        var f = Assert.Single(Findings(Runtime(Allowlist()), new PolicyEvidence()));
        Assert.Equal(PolicyFailureCodes.ImaLogMissing, f.Code);
    }
}
