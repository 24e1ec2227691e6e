using System.Diagnostics;
using Attest.Hooks.Tests.Stack;

namespace Attest.Hooks.Tests.Ironic;

/// <summary>
/// The Python side's own unit tests (contrib/ironic/tests: the ironic-python-agent hardware manager against a
/// stand-in for IPA's base class, which Debian does not package), run here so that the suite covers them.
/// </summary>
public sealed class AdapterUnitTests
{
    [Fact]
    public async Task Ipa_hardware_manager_unit_tests_pass_against_the_agent_stand_in()
    {
        var info = new ProcessStartInfo(IronicEnvironment.Python, ["-m", "unittest", "discover", "-s", Path.Combine(Repo.IronicContrib, "tests"), "-v"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await stdout + stderr);
        Assert.Contains("OK", stderr, StringComparison.Ordinal);
    }
}
