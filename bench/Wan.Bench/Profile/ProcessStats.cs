using System.Globalization;

namespace Wan.Bench.Profile;

/// <summary>Resident-set figures of this process (Linux /proc) and the machine it runs on.</summary>
public static class ProcessStats
{
    /// <summary>VmHWM of /proc/self/status: the peak resident set, mapped weight pages included.</summary>
    public static double PeakRssGiB() => StatusGiB("VmHWM:");

    /// <summary>VmRSS of /proc/self/status: the resident set now.</summary>
    public static double RssGiB() => StatusGiB("VmRSS:");

    /// <summary>CPU time of this process so far: user, and system (page faults, madvise, thread switches).</summary>
    public static (TimeSpan User, TimeSpan System) CpuTimes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return (process.UserProcessorTime, process.PrivilegedProcessorTime);
    }

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    public static string Machine() => $"{Environment.ProcessorCount} logical cores, {CpuModel()}";

    private static double StatusGiB(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    }
}
