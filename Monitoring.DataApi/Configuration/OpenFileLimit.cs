using System.Runtime.InteropServices;

namespace Monitoring.DataApi.Configuration;

/// <summary>
/// The process's open-file soft limit (RLIMIT_NOFILE), read in the process itself: the .NET runtime raises the soft
/// limit to the hard limit as it starts, so what the parent shell shows is not what the process gets.
/// </summary>
public static class OpenFileLimit
{
    private const ulong Unlimited = ulong.MaxValue;

    /// <summary>The soft limit, or null where there is none to read (Windows) or it is unlimited.</summary>
    public static long? Read()
    {
        int? resource = OperatingSystem.IsLinux() ? 7
            : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 8
            : null;
        if (resource is null || GetResourceLimit(resource.Value, out var limit) != 0)
        {
            return null;
        }
        return limit.Current is Unlimited or > long.MaxValue ? null : (long)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    // "libc" is mapped by the runtime to the platform's C library (libc.so.6, libSystem). DllImport rather than
    // LibraryImport: the generated stub needs unsafe code, and the struct is blittable either way.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetResourceLimit(int resource, out ResourceLimit limit);
}
