using System.Diagnostics;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// A tmpfs of a few MiB mounted on a temporary folder: a real volume that can be filled up, for disk-full tests.
/// Mounting needs root, which the test machines and CI are.
/// </summary>
public sealed class SmallVolume : IDisposable
{
    private readonly TemporaryDirectory _mountPoint = new();

    public SmallVolume(long sizeBytes)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", _mountPoint.Path);
    }

    public string Path => _mountPoint.Path;

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Takes all the free space but <paramref name="leaveBytes"/> (tmpfs allocates whole pages).</summary>
    public void Fill(long leaveBytes)
    {
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write);
        var chunk = new byte[4096];
        Array.Fill(chunk, (byte)1);
        while (AvailableBytes > leaveBytes)
        {
            try
            {
                filler.Write(chunk);
                filler.Flush();
            }
            catch (IOException)
            {
                return;
            }
        }
    }

    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        // Lazy: a process that still holds a file there does not keep the mount busy.
        Run("umount", "-l", Path);
        _mountPoint.Dispose();
    }

    private static void Run(string command, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
    }
}
