using System.Globalization;

namespace Attest.LoadTest;

/// <summary>CPU time of a process from <c>/proc/&lt;pid&gt;/stat</c>, to say which process the cores went to.</summary>
internal static class ProcStat
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux we run on.

    public static TimeSpan CpuTime(int pid, bool includeChildren)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // Fields after the parenthesised command name (which may contain spaces): state is field 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double Field(int n) => double.Parse(fields[n - 3], CultureInfo.InvariantCulture);
            var ticks = Field(14) + Field(15) + (includeChildren ? Field(16) + Field(17) : 0);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return TimeSpan.Zero; // Exited meanwhile.
        }
    }

    /// <summary>A process and its live children (e.g. a postmaster and its backends; reaped ones count in cutime).</summary>
    public static TimeSpan TreeCpuTime(int pid)
    {
        var total = CpuTime(pid, includeChildren: true);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child) && Parent(child) == pid)
            {
                total += CpuTime(child, includeChildren: false);
            }
        }

        return total;
    }

    public static int Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>The 1-minute load average, recorded with every figure (this machine is shared).</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
