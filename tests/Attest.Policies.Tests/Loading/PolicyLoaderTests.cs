using Attest.Policies.Loading;
using Attest.Policies.Tests.Support;

namespace Attest.Policies.Tests.Loading;

public sealed class PolicyLoaderTests
{
    private static PolicyError SingleError(string yaml)
    {
        var result = PolicyLoader.Load(yaml, "bad.yaml");
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Yaml_and_json_forms_of_one_policy_load_to_the_same_rules()
    {
        var yaml = Kit.MeasuredBoot("secureBoot:\n  required: true\n");
        var json = Kit.Load("""{"kind":"measured-boot","name":"test","version":1,"description":"test policy","secureBoot":{"required":true}}""", "p.json");
        Assert.Equal(yaml.MeasuredBoot!.SecureBoot, json.MeasuredBoot!.SecureBoot);
    }

    [Fact]
    public void Syntax_error_points_to_its_line()
    {
        var error = SingleError("kind: measured-boot\nname: x\nsecureBoot: [unclosed\n");
        Assert.Equal(PolicyErrorCodes.Syntax, error.Code);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Unknown_key_is_rejected_with_its_line_and_path()
    {
        var error = SingleError("kind: measured-boot\n" + Kit.Header + "secureBoot:\n  required: true\n  requird: false\n");
        Assert.Equal(PolicyErrorCodes.UnknownKey, error.Code);
        Assert.Contains("requird", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("/secureBoot", error.Path, StringComparison.Ordinal);
        Assert.InRange(error.Line ?? 0, 5, 7);
    }

    [Fact]
    public void Schema_violation_names_the_path_and_line()
    {
        var error = SingleError("kind: measured-boot\n" + Kit.Header + "pcrs:\n  eventRules:\n    - 4\n    - 31\n");
        Assert.Equal(PolicyErrorCodes.Schema, error.Code);
        Assert.Equal("/pcrs/eventRules/1", error.Path);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void Missing_name_is_a_schema_error()
    {
        var result = PolicyLoader.Load("kind: runtime\nversion: 1\ndescription: d\nmode: allowlist\n");
        Assert.Contains(result.Errors, e => e.Code == PolicyErrorCodes.Schema && e.Message.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_kind_is_rejected_at_the_kind_line()
    {
        var error = SingleError("name: x\nkind: firmware-magic\n");
        Assert.Equal(PolicyErrorCodes.UnknownKind, error.Code);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("sha256:abcd")]
    [InlineData("zz11223344556677889900112233445566778899")]
    public void Impossible_digest_is_rejected_with_its_path(string digest)
    {
        var result = PolicyLoader.Load("kind: measured-boot\n" + Kit.Header + $"bootApplications:\n  digests:\n    - \"{digest}\"\n");
        var error = Assert.Single(result.Errors);
        Assert.Contains(error.Code, new[] { PolicyErrorCodes.InvalidDigest, PolicyErrorCodes.Schema });
        Assert.Equal("/bootApplications/digests/0", error.Path);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void Argument_both_required_and_forbidden_is_a_contradiction()
    {
        var error = SingleError("kind: measured-boot\n" + Kit.Header + "kernel:\n  commandLine:\n    required: [quiet, ro]\n    forbidden: [ro]\n");
        Assert.Equal(PolicyErrorCodes.Contradiction, error.Code);
        Assert.Equal("/kernel/commandLine/required/1", error.Path);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void Argument_both_allowed_and_forbidden_is_a_contradiction()
    {
        var error = SingleError("kind: measured-boot\n" + Kit.Header + "kernel:\n  commandLine:\n    allowed: [\"console=tty*\"]\n    forbidden: [console]\n");
        Assert.Equal(PolicyErrorCodes.Contradiction, error.Code);
    }

    [Fact]
    public void Exact_pcr_value_of_the_wrong_length_is_rejected()
    {
        var error = SingleError("kind: measured-boot\n" + Kit.Header + "pcrs:\n  exact:\n    - { pcr: 0, bank: sha256, value: abcd }\n");
        Assert.Equal(PolicyErrorCodes.InvalidDigest, error.Code);
        Assert.Equal("/pcrs/exact/0/value", error.Path);
    }

    [Fact]
    public void Digest_both_allowed_and_denied_is_a_contradiction()
    {
        var digest = new string('a', 64);
        var error = SingleError("kind: runtime\n" + Kit.Header + $"mode: denylist\ndenied: [\"{digest}\"]\ndigests:\n  /usr/bin/ls: [\"sha256:{digest}\"]\n");
        Assert.Equal(PolicyErrorCodes.Contradiction, error.Code);
        Assert.Equal("/digests/~1usr~1bin~1ls/0", error.Path);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void Trusted_key_that_is_not_a_key_is_rejected()
    {
        var error = SingleError("kind: runtime\n" + Kit.Header + "mode: allowlist\ntrustedKeys:\n  - keyId: 0011aabb\n    publicKey: not a key\n");
        Assert.Equal(PolicyErrorCodes.InvalidKey, error.Code);
        Assert.Equal("/trustedKeys/0/publicKey", error.Path);
    }

    [Fact]
    public void Duplicate_key_is_a_syntax_error()
    {
        var error = SingleError("kind: measured-boot\nkind: runtime\n");
        Assert.Equal(PolicyErrorCodes.Syntax, error.Code);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Shipped_examples_load()
    {
        var root = Repository.Path("policies");
        var files = Directory.GetFiles(root, "*.yaml").Concat(Directory.GetFiles(root, "*.json")).ToArray();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var result = PolicyLoader.LoadFile(file);
            Assert.True(result.Succeeded, $"{file}: {string.Join("; ", result.Errors)}");
        }
    }

    [Fact]
    public void Hostile_nesting_is_refused_without_overflowing_the_stack()
    {
        var error = SingleError("kind: measured-boot\nname: x\npcrs: " + new string('[', 200_000));
        Assert.Equal(PolicyErrorCodes.Syntax, error.Code);
        Assert.Equal(3, error.Line);
        var indented = string.Concat(Enumerable.Range(0, 300).Select(i => new string(' ', i) + "a:\n"));
        Assert.Equal(PolicyErrorCodes.Syntax, SingleError(indented).Code);
    }
}
