namespace Attest.Policies.Documents;

/// <summary>The document kinds; each has its own JSON Schema in <c>policies/schema/{kind}.schema.json</c>.</summary>
public static class PolicyKinds
{
    public const string MeasuredBoot = "measured-boot";

    public const string Runtime = "runtime";

    public static readonly IReadOnlyList<string> All = [MeasuredBoot, Runtime];
}
