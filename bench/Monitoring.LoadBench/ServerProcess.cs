using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Monitoring.LoadBench;

/// <summary>A variant's server, pinned to one CPU with taskset, listening on a loopback port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["ASPNETCORE_", "DOTNET_URLS", "OTEL_", "HTTP_PORTS", "HTTPS_PORTS"];
    private static readonly string[] SetHere = ["HOST", "PORT", Variant.DataPathVariable, Variant.MetricsEnabledVariable, Variant.ConnectionStringVariable, Variant.DataStoreVariable];
    private static readonly ConcurrentDictionary<ServerProcess, byte> Running = new();
    private readonly Process _process;
    private readonly OutputTail _output = new();
    private Stopwatch _sinceStart = null!;

    private ServerProcess(Variant variant, Process process, int port)
    {
        Variant = variant;
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Variant Variant { get; }

    /// <summary>
    /// From just before the exec to the first 2xx of <c>GET /health/ready</c> (polled every
    /// <see cref="ReadinessPollInterval"/>): the start-up time, as an orchestrator's readiness probe would see it.
    /// </summary>
    public TimeSpan ReadyAfter { get; private set; }

    private static readonly TimeSpan ReadinessPollInterval = TimeSpan.FromMilliseconds(5);

    public int Port { get; }

    public string BaseUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}");

    public HttpClient Client { get; }

    /// <summary>taskset execs the server, so this is the server's own process id.</summary>
    public int Pid => _process.Id;

    public double CpuSeconds()
    {
        EnsureRunning();
        return ProcStats.CpuSeconds(Pid);
    }

    /// <summary>Throws <see cref="ServerExitedException"/>, with the server's last output, once the process is gone.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new ServerExitedException($"{Variant.Name} (pid {Pid}) exited with {_process.ExitCode}:{Environment.NewLine}{LastOutput()}");
        }
    }

    public long PeakResidentBytes() => ProcStats.PeakResidentBytes(Pid);

    public long ResidentBytes() => ProcStats.ResidentBytes(Pid);

    /// <summary>
    /// Whether the harness decides this variable itself (the address, the environment, what makes a variant) or keeps
    /// it from the servers; <c>--server-env</c> may not set it.
    /// </summary>
    public static bool IsReservedVariable(string name) =>
        SetHere.Contains(name, StringComparer.OrdinalIgnoreCase)
        || InheritedPrefixesToDrop.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    public static async Task<ServerProcess> StartReadyAsync(Variant variant, BenchOptions options, TimeSpan timeout)
    {
        var port = FreePort.Next();
        var startInfo = new ProcessStartInfo("taskset")
        {
            WorkingDirectory = Path.GetDirectoryName(variant.Program)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] program = variant.IsNative ? [variant.Program] : ["dotnet", variant.Program];
        foreach (var argument in new[] { "-c", options.ServerCpu.ToString(CultureInfo.InvariantCulture) }.Concat(program).Concat(variant.Arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var key in startInfo.Environment.Keys.Where(key => InheritedPrefixesToDrop.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            startInfo.Environment.Remove(key);
        }
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["HOST"] = "127.0.0.1";
        startInfo.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        // No overlap between the two: BenchOptions refuses the reserved names.
        foreach (var (key, value) in options.ServerEnvironment.Concat(variant.Environment))
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var server = new ServerProcess(variant, process, port);
        process.OutputDataReceived += (_, line) => server._output.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => server._output.Keep(line.Data);
        server._sinceStart = Stopwatch.StartNew();
        process.Start();
        Running.TryAdd(server, 0);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(timeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>POST /data with the benchmark item, so that GET /data/bench is a 200 like on the peers.</summary>
    public async Task SeedAsync()
    {
        using var value = System.Text.Json.JsonDocument.Parse(Variant.ValueJson);
        using var content = JsonContent.Create(new { key = "bench", value = value.RootElement });
        using var response = await Client.PostAsync(new Uri("/data", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    public string LastOutput() => _output.ToString();

    /// <summary>
    /// Kills every server still running. Ctrl+C and SIGTERM end the harness without running its finally blocks, and
    /// servers left behind would hold the server CPU for whatever runs next.
    /// </summary>
    public static void KillAll()
    {
        foreach (var server in Running.Keys)
        {
            try
            {
                server._process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(this, out _);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(cancellation.Token);
        }
        Client.Dispose();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Variant.Name} exited with {_process.ExitCode}:{Environment.NewLine}{LastOutput()}");
            }
            try
            {
                using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    ReadyAfter = _sinceStart.Elapsed;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(ReadinessPollInterval);
        }
        throw new TimeoutException($"{Variant.Name} was not ready within {timeout}:{Environment.NewLine}{LastOutput()}");
    }
}
