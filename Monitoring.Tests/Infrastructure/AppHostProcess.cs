using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// The AppHost as a real process, the way <c>dotnet run --project Monitoring.AppHost</c> runs it with the <c>http</c>
/// profile (dashboard over plain http, no developer certificate), on ports of its own.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process) => _process = process;

    public string DashboardUrl { get; private init; } = string.Empty;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static AppHostProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var assembly = Path.Combine(Path.GetDirectoryName(RepositoryPaths.DataApiAssembly)!.Replace("Monitoring.DataApi", "Monitoring.AppHost", StringComparison.Ordinal), "Monitoring.AppHost.dll");
        Assert.True(File.Exists(assembly), $"The AppHost is not built at {assembly}");

        var dashboard = $"http://localhost:{FreePort.Next()}";
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = dashboard,
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
                ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            },
        };
        foreach (var (key, value) in settings)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var host = new AppHostProcess(process) { DashboardUrl = dashboard };
        process.OutputDataReceived += (_, line) => host.Append(line.Data);
        process.ErrorDataReceived += (_, line) => host.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for a line of output that matches <paramref name="pattern"/> and returns its first group.</summary>
    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (pattern.Match(Output) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
            Assert.False(_process.HasExited, $"The AppHost exited: {Output}");
            await Task.Delay(250);
        }
        throw new TimeoutException($"No output matched {pattern} within {timeout}: {Output}");
    }

    /// <summary>The DataApi replica's own address, from the AppHost's scrape-target log line.</summary>
    public async Task<Uri> WaitForDataApiAsync(TimeSpan timeout) =>
        new($"http://{await WaitForOutputAsync(DataApiTarget(), timeout)}");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the AppHost stops its resources; it ignores SIGINT when it has no terminal.
            _ = SendSignal(_process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    [GeneratedRegex(@"scrape targets in \S+: (localhost:\d+)")]
    private static partial Regex DataApiTarget();
}
