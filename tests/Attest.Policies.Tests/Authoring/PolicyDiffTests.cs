using Attest.Policies.Authoring;
using static Attest.Policies.Tests.Support.Kit;

namespace Attest.Policies.Tests.Authoring;

public sealed class PolicyDiffTests
{
    [Fact]
    public void Reordering_requoting_and_digest_case_are_not_changes()
    {
        var a = MeasuredBoot($"kernel:\n  commandLine:\n    forbidden: [init, single]\nbootApplications:\n  digests: [\"{new string('a', 64)}\"]\n");
        var b = Load($"{{\"kind\":\"measured-boot\",\"name\":\"test\",\"version\":1,\"description\":\"test policy\",\"bootApplications\":{{\"digests\":[\"sha256:{new string('A', 64)}\"]}},\"kernel\":{{\"commandLine\":{{\"forbidden\":[\"single\",\"init\"]}}}}}}", "b.json");
        Assert.Empty(PolicyDiff.Compare(a, b));
    }

    [Fact]
    public void Added_digest_is_looser_and_added_forbidden_argument_is_stricter()
    {
        var a = MeasuredBoot("kernel:\n  commandLine:\n    forbidden: [init]\n");
        var b = MeasuredBoot($"kernel:\n  commandLine:\n    forbidden: [init, single]\nbootApplications:\n  digests: [\"{new string('b', 64)}\"]\n");
        var changes = PolicyDiff.Compare(a, b);
        Assert.Contains(changes, c => c.Path == "/kernel/commandLine/forbidden" && c.New == "single" && c.Effect == "stricter");
        Assert.Contains(changes, c => c.Path == "/bootApplications" && c.Change == "added");
        var c2 = PolicyDiff.Compare(MeasuredBoot($"bootApplications:\n  digests: [\"{new string('a', 64)}\"]\n"), MeasuredBoot($"bootApplications:\n  digests: [\"{new string('a', 64)}\", \"{new string('b', 64)}\"]\n"));
        var added = Assert.Single(c2);
        Assert.Equal("looser", added.Effect);
    }

    [Fact]
    public void Turning_secure_boot_off_is_looser()
    {
        var change = Assert.Single(PolicyDiff.Compare(MeasuredBoot("secureBoot:\n  required: true\n"), MeasuredBoot("secureBoot:\n  required: false\n")));
        Assert.Equal("looser", change.Effect);
    }
}
