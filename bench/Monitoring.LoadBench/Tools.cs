using System.Diagnostics;

namespace Monitoring.LoadBench;

/// <summary>The programs the harness runs, and what it records about the machine.</summary>
internal static class Tools
{
    public static void EnsureInstalled()
    {
        foreach (var (tool, package) in new[] { ("wrk", "wrk"), ("taskset", "util-linux") })
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(directory => File.Exists(Path.Combine(directory, tool)));
            if (!found)
            {
                throw new InvalidOperationException($"{tool} is not installed (apt-get install {package}).");
            }
        }
        if (Environment.ProcessorCount < 2)
        {
            throw new InvalidOperationException("Two CPUs are needed: one for the server, one for wrk.");
        }
    }

    public static string DescribeMachine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} CPUs ({model ?? "unknown model"}), .NET {Environment.Version}, {Environment.OSVersion}";
    }

    /// <summary>The 1, 5 and 15 minute load averages: how busy the machine was besides this run.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
