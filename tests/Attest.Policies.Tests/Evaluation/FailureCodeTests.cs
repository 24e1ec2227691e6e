using System.Reflection;
using Attest.Policies.Evaluation;
using Attest.Policies.Loading;
using Attest.Policies.Tests.Support;

namespace Attest.Policies.Tests.Evaluation;

public sealed class FailureCodeTests
{
    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Every_failure_code_has_a_meaning_and_a_remedy()
    {
        Assert.Equal(Constants(typeof(PolicyFailureCodes)).Order(), PolicyFailureCodes.Catalog.Keys.Order());
    }

    [Fact]
    public void Guide_lists_every_failure_and_load_error_code()
    {
        var guide = File.ReadAllText(Repository.Path("docs", "policies.md"));
        foreach (var code in Constants(typeof(PolicyFailureCodes)).Concat(Constants(typeof(PolicyErrorCodes))))
        {
            Assert.Contains($"`{code}`", guide, StringComparison.Ordinal);
        }
    }
}
