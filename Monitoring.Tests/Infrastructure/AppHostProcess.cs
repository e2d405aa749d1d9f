using System.Text.RegularExpressions;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// The AppHost as a real process, the way <c>dotnet run --project Monitoring.AppHost</c> runs it with the <c>http</c>
/// profile (dashboard over plain http, no developer certificate), on ports of its own.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;

    private AppHostProcess(CapturedProcess process) => _process = process;

    public string DashboardUrl { get; private init; } = string.Empty;

    public string Output => _process.Output;

    public static AppHostProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var assembly = RepositoryPaths.BuildOutput("Monitoring.AppHost");

        var dashboard = $"http://localhost:{FreePort.Next()}";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = dashboard,
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return new AppHostProcess(CapturedProcess.Start(assembly, environment, inheritedPrefixesToDrop: [])) { DashboardUrl = dashboard };
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
            Assert.False(_process.Process.HasExited, $"The AppHost exited: {Output}");
            await Task.Delay(250);
        }
        throw new TimeoutException($"No output matched {pattern} within {timeout}: {Output}");
    }

    /// <summary>The DataApi replica's own address, from the AppHost's scrape-target log line.</summary>
    public async Task<Uri> WaitForDataApiAsync(TimeSpan timeout) =>
        new($"http://{await WaitForOutputAsync(DataApiTarget(), timeout)}");

    public async ValueTask DisposeAsync()
    {
        var process = _process.Process;
        if (!process.HasExited)
        {
            // SIGTERM: the AppHost stops its resources; it ignores SIGINT when it has no terminal.
            PosixSignal.TrySend(process.Id, PosixSignal.Terminate);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"scrape targets in \S+: (localhost:\d+)")]
    private static partial Regex DataApiTarget();
}
