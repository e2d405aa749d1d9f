using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitoring.Tests.Reliability;

/// <summary>
/// A real <c>prometheus</c> (Debian package) on a loopback port, scraping one target every second, with its
/// configuration and TSDB in a folder of the test's own, so that a restart finds what the killed one left.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, Uri address)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

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

    public static async Task<PrometheusServer> StartReadyAsync(string directory, int port, string target)
    {
        var configuration = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configuration, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: dataapi
                static_configs:
                  - targets: ['{target}']
            """);
        return await StartReadyAsync(configuration, directory, port);
    }

    /// <summary>Prometheus with <paramref name="configuration"/> as it is, its TSDB in <paramref name="directory"/>.</summary>
    public static async Task<PrometheusServer> StartReadyAsync(string configuration, string directory, int port)
    {
        var startInfo = new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                "--config.file=" + configuration,
                "--storage.tsdb.path=" + Path.Combine(directory, "tsdb"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = startInfo };
        var server = new PrometheusServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => server.Append(line.Data);
        process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            server.Client.Dispose();
            process.Dispose();
            throw new InvalidOperationException("prometheus is not installed: apt-get install prometheus (see README).");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitAsync(async () => (await server.Client.GetAsync("/-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the target is up with a scrape that started after <paramref name="since"/>.</summary>
    public Task WaitForTargetUpAsync(DateTimeOffset since, TimeSpan timeout) => WaitAsync(async () =>
    {
        var body = await Client.GetFromJsonAsync<JsonElement>("/api/v1/targets?state=active");
        return body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Any(target =>
            target.GetProperty("health").GetString() == "up"
            && target.GetProperty("lastScrape").GetDateTimeOffset() > since);
    }, timeout, "scraping its target");

    /// <summary>SIGKILL: no shutdown, the TSDB left as it was.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        Client.Dispose();
        _process.Dispose();
    }

    private async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"prometheus exited: {Output}");
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        throw new TimeoutException($"prometheus was not {what} within {timeout}: {Output}");
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
