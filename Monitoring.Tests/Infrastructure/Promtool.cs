using System.Diagnostics;

namespace Monitoring.Tests.Infrastructure;

/// <summary>Prometheus's own checker (Debian package <c>prometheus</c>, installed by .ci/run).</summary>
public static class Promtool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string arguments, string? standardInput = null, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo("promtool", arguments)
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };

        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("promtool is not installed: apt-get install prometheus (see README).");
        }

        using (process)
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
                process.StandardInput.Close();
            }
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
