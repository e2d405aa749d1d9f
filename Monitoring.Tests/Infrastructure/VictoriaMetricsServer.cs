using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// A real single-node VictoriaMetrics (Debian's <c>victoria-metrics</c>) on a loopback port, its storage in a folder of
/// the test's own: a remote-write receiver (<see cref="RemoteWriteUrl"/>) with a Prometheus-compatible query API
/// (<see cref="Api"/>). Samples are queryable as soon as they are stored (<c>-search.latencyOffset=0s</c>; by default
/// it hides the last 30 seconds).
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _client;

    private VictoriaMetricsServer(Process process, Uri address)
    {
        _process = process;
        _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        Api = new PrometheusApi(_client);
        RemoteWriteUrl = new Uri(address, "/api/v1/write");
    }

    /// <summary>Where Prometheus sends its samples.</summary>
    public Uri RemoteWriteUrl { get; }

    /// <summary>The Prometheus-compatible query API (<c>/api/v1/query</c> and the like).</summary>
    public PrometheusApi Api { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<VictoriaMetricsServer> StartReadyAsync(string storageDirectory, CancellationToken cancellationToken)
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var startInfo = new ProcessStartInfo("victoria-metrics")
        {
            ArgumentList =
            {
                "-httpListenAddr=127.0.0.1:" + port,
                "-storageDataPath=" + storageDirectory,
                "-retentionPeriod=1d",
                "-search.latencyOffset=0s",
                "-loggerLevel=WARN",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = startInfo };
        var server = new VictoriaMetricsServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => server.Append(line.Data);
        process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            server._client.Dispose();
            process.Dispose();
            throw new InvalidOperationException("victoria-metrics is not installed: apt-get install victoria-metrics (./test.sh does).");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                Assert.False(process.HasExited, $"victoria-metrics exited: {server.Output}");
                try
                {
                    if ((await server._client.GetAsync("/health", cancellationToken)).IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"victoria-metrics did not answer /health within 30 s: {server.Output}");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _client.Dispose();
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
}
