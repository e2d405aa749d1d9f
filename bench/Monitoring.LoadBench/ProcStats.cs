using System.Diagnostics;
using System.Globalization;

namespace Monitoring.LoadBench;

/// <summary>A process's CPU time and memory as Linux accounts them in /proc.</summary>
internal static class ProcStats
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadTicksPerSecond);

    /// <summary>utime + stime, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name in parentheses may hold spaces; the fields after it are space separated. utime and stime
        // are fields 14 and 15, so the 12th and 13th after the ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond.Value;
    }

    /// <summary>
    /// utime + stime of a process and of its children that it has waited for (cutime + cstime), plus utime + stime of
    /// its children still running: the CPU of a process tree whose children come and go (PostgreSQL's backends), as
    /// long as the children start no processes of their own.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        // A child that exits between the listing and the reading moves its time into the parent's cutime: read again.
        for (var attempt = 0; ; attempt++)
        {
            var parent = Fields(pid);
            var ticks = Ticks(parent, 11) + Ticks(parent, 12) + Ticks(parent, 13) + Ticks(parent, 14);
            try
            {
                foreach (var child in ChildrenOf(pid))
                {
                    var fields = Fields(child);
                    ticks += Ticks(fields, 11) + Ticks(fields, 12);
                }
            }
            catch (IOException) when (attempt < 10)
            {
                continue;
            }
            var reaped = Fields(pid);
            if (Ticks(reaped, 13) + Ticks(reaped, 14) == Ticks(parent, 13) + Ticks(parent, 14) || attempt >= 10)
            {
                return ticks / TicksPerSecond.Value;
            }
        }
    }

    /// <summary>The processes whose parent is <paramref name="pid"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                continue;
            }
            try
            {
                if (long.Parse(Fields(candidate)[1], CultureInfo.InvariantCulture) == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (IOException)
            {
                // Gone while listing.
            }
        }
        return children;
    }

    /// <summary>
    /// The proportional set size (Pss) of a process and its children, summed: shared pages (PostgreSQL's shared buffers)
    /// are split between the processes that map them, so the sum counts them once.
    /// </summary>
    public static long TreeProportionalBytes(int pid)
    {
        long kilobytes = 0;
        foreach (var process in ChildrenOf(pid).Prepend(pid))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{process}/smaps_rollup"))
                {
                    if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        kilobytes += long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // Gone while reading.
            }
        }
        return kilobytes * 1024;
    }

    /// <summary>The process's state letter (R, S, D, Z …).</summary>
    public static char State(int pid) => Fields(pid)[0][0];

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name: [0] is the state (field 3), [1] the parent (field 4).</summary>
    private static string[] Fields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    /// <summary>Peak resident set size (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>Current resident set size (VmRSS), in bytes.</summary>
    public static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long StatusKilobytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"{field} not in /proc/{pid}/status");
    }

    private static double ReadTicksPerSecond()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
        var text = getconf?.StandardOutput.ReadToEnd().Trim();
        getconf?.WaitForExit(5000);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}
