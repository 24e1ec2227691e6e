using System.Diagnostics;

namespace Attest.Hooks.Tests.Ironic;

/// <summary>
/// Whether Debian's python3-ironic is here. Outside CI its absence skips the Ironic tests with the reason; under
/// CI=true they run and fail, because CI installs it (scripts/prerequisites.sh) and a silent skip would hide that.
/// </summary>
internal static class IronicEnvironment
{
    public const string Python = "/usr/bin/python3";

    public static readonly bool Available = Probe();

    public static string? SkipReason =>
        Available || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : "python3-ironic is not installed (Debian's Ironic runs these tests): run scripts/prerequisites.sh";

    private static bool Probe()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import ironic.cmd.singleprocess"])
                { RedirectStandardError = true, RedirectStandardOutput = true });
            if (probe is null)
            {
                return false;
            }

            probe.WaitForExit(60_000);
            return probe.HasExited && probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that needs a real Ironic (see <see cref="IronicEnvironment"/>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class IronicFactAttribute : FactAttribute
{
    public IronicFactAttribute()
    {
        Skip = IronicEnvironment.SkipReason;
    }
}
