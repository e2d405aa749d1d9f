using System.Globalization;

namespace Monitoring.Tests.Reliability;

/// <summary>A process's resident set size, as the kernel reports it in /proc/&lt;pid&gt;/status (Linux).</summary>
public static class ResidentMemory
{
    public const double Mebibyte = 1024 * 1024;

    public static long BytesOf(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            // "VmRSS:     123456 kB"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"No VmRSS line for process {processId}");
    }

    public static string Describe(long bytes) => (bytes / Mebibyte).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
}
