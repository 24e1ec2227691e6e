using Attest.Policies.Documents;
using Attest.Policies.Evaluation;
using Attest.Policies.Loading;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Tests.EventLog;

namespace Attest.Policies.Tests.Support;

/// <summary>Loading policies and building evidence the way the verifier does, for tests.</summary>
internal static class Kit
{
    public const string Header = "name: test\nversion: 1\ndescription: test policy\n";

    public static Policy Load(string yaml, string fileName = "test.yaml")
    {
        var result = PolicyLoader.Load(yaml, fileName);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Policy!;
    }

    public static Policy MeasuredBoot(string rules) => Load("kind: measured-boot\n" + Header + rules);

    public static Policy Runtime(string rules) => Load("kind: runtime\n" + Header + rules);

    /// <summary>Evidence from a simulated boot, quoted exactly as the log replays (what an honest TPM would sign).</summary>
    public static PolicyEvidence Evidence(EventLogWriter log) => EvidenceBuilder.Build(log.ToArray(), null, log.ExpectedPcrs());

    public static EventLogWriter TypicalBoot() => EventLogWriter.TypicalUefiBoot(TestCertificates.Db, TpmAlgId.Sha256);

    /// <summary>The boot with writer event <paramref name="index"/> replaced by one built from the given parts (digests recomputed).</summary>
    public static EventLogWriter With(EventLogWriter log, int index, uint pcr, Tpm.EventLog.TcgEventType type, byte[] data, byte[]? measured = null)
    {
        var single = new EventLogWriter([.. log.Banks]).AddMeasuring(pcr, type, data, measured ?? data);
        return log.Clone().Replace(index, single.Events[0]);
    }

    public static IReadOnlyList<PolicyFinding> Findings(Policy policy, PolicyEvidence evidence, IFirmwareCatalog? catalog = null) =>
        PolicyEvaluator.Evaluate(policy, evidence, catalog).Findings;

    public static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(text)));
}
