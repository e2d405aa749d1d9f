using System.Diagnostics;
using System.Globalization;

namespace Monitoring.AppHost;

/// <summary>
/// Folders that belong to one AppHost run, so that AppHosts running side by side (a developer's and the tests') never
/// share scrape targets. Each is created private to its user under an unpredictable name
/// (<c>monitoring-&lt;name&gt;-&lt;pid&gt;-&lt;random&gt;</c> in the temporary directory); folders of AppHost processes
/// that no longer exist are removed.
/// </summary>
public static class RunDirectories
{
    private const string Prefix = "monitoring-";

    public static string Create(string name)
    {
        RemoveOrphans(name);
        return Directory.CreateTempSubdirectory(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{name}-{Environment.ProcessId}-")).FullName;
    }

    private static void RemoveOrphans(string name)
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), $"{Prefix}{name}-*"))
        {
            var parts = Path.GetFileName(directory)[(Prefix.Length + name.Length + 1)..].Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Another user's, in use, or already gone: left alone.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
