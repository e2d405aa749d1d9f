using System.Diagnostics;
using System.Text;

namespace Monitoring.Tests.Infrastructure;

/// <summary>The DataApi as a real operating-system process, configured only through environment variables.</summary>
public sealed class DataApiProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["ASPNETCORE_", "DOTNET_URLS", "OTEL_", "HTTP_PORTS", "HTTPS_PORTS"];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private DataApiProcess(Process process)
    {
        _process = process;
    }

    public string StandardOutput
    {
        get { lock (_stdout) { return _stdout.ToString(); } }
    }

    public string StandardError
    {
        get { lock (_stderr) { return _stderr.ToString(); } }
    }

    public static DataApiProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var assembly = RepositoryPaths.DataApiAssembly;
        Assert.True(File.Exists(assembly), $"The DataApi is not built at {assembly}");

        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (InheritedPrefixesToDrop.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                startInfo.Environment.Remove(key);
            }
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var running = new DataApiProcess(process);
        process.OutputDataReceived += (_, line) => Append(running._stdout, line.Data);
        process.ErrorDataReceived += (_, line) => Append(running._stderr, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="url"/> until it answers 200 or the process exits.</summary>
    public async Task WaitUntilReadyAsync(HttpClient client, string url, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"The DataApi exited with {(_process.HasExited ? _process.ExitCode : 0)}: {StandardError}{StandardOutput}");
            try
            {
                using var response = await client.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        Assert.Fail($"The DataApi was not ready at {url} within {timeout}: {StandardOutput}");
    }

    /// <summary>SIGKILL: no shutdown, no flush, no disposal.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
