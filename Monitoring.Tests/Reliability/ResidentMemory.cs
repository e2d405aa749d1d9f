using System.Globalization;

namespace Monitoring.Tests.Reliability;

/// <summary>A process's resident set size, as the kernel reports it in /proc/&lt;pid&gt;/status (Linux).</summary>
public static class ResidentMemory
{
    public const double Mebibyte = 1024 * 1024;

    public static long BytesOf(int processId) =>
        TryBytesOf(processId) ?? throw new InvalidOperationException($"Process {processId} is gone");

    /// <summary>Null when the process is gone.</summary>
    public static long? TryBytesOf(int processId)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{processId}/status");
        }
        catch (Exception exception) when (exception is DirectoryNotFoundException or FileNotFoundException)
        {
            return null;
        }
        foreach (var line in lines)
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
