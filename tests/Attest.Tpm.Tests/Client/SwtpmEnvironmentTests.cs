using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Client;

public sealed class SwtpmEnvironmentTests
{
    [Fact]
    public void Missing_swtpm_skips_on_a_workstation_but_fails_under_CI()
    {
        Assert.NotNull(SwtpmEnvironment.SkipReasonFor(isAvailable: false, isCi: false));
        Assert.Null(SwtpmEnvironment.SkipReasonFor(isAvailable: false, isCi: true));
        Assert.Null(SwtpmEnvironment.SkipReasonFor(isAvailable: true, isCi: false));
    }

    [Fact]
    public void Skip_message_says_what_to_install()
    {
        Assert.Contains("apt-get install swtpm", SwtpmEnvironment.SkipReasonFor(false, false), StringComparison.Ordinal);
    }
}
