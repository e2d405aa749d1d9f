using System.Diagnostics;

namespace Monitoring.LoadBench.DataPath;

/// <summary>A program run to its end, its output collected.</summary>
internal static class Command
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs it and fails with its output unless it exits with 0.</summary>
    public static async Task<string> RunCheckedAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var list = arguments.ToList();
        var (exitCode, output, error) = await RunAsync(program, list, timeout, workingDirectory);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', list)} exited with {exitCode}:{Environment.NewLine}{error}{output}");
    }
}
