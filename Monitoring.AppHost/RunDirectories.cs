using System.Diagnostics;
using System.Globalization;

namespace Monitoring.AppHost;

/// <summary>
/// Folders under the temporary directory that belong to one AppHost run (<c>&lt;name&gt;-&lt;pid&gt;-&lt;id&gt;</c>),
/// so that AppHosts running side by side (a developer's and the tests') never share scrape targets. Folders of
/// AppHost processes that no longer exist are removed.
/// </summary>
public static class RunDirectories
{
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "monitoring-apphost");

    public static string Create(string name)
    {
        RemoveOrphans();
        var path = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static void RemoveOrphans()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length >= 3 && int.TryParse(parts[^2], CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                    // In use or already gone: the next run tries again.
                }
                catch (UnauthorizedAccessException)
                {
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
