using System.Globalization;

namespace Monitoring.Tests.Infrastructure;

/// <summary>The DataApi as a real operating-system process, configured only through environment variables.</summary>
public sealed class DataApiProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["ASPNETCORE_", "DOTNET_URLS", "OTEL_", "HTTP_PORTS", "HTTPS_PORTS"];

    private readonly CapturedProcess _process;

    private DataApiProcess(CapturedProcess process) => _process = process;

    public string StandardOutput => _process.StandardOutput;

    public int ProcessId => _process.Process.Id;

    public bool HasExited => _process.Process.HasExited;

    public string StandardError => _process.StandardError;

    /// <summary>A client of the process, when it was started with <see cref="StartReadyAsync"/>.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Settings for a DataApi on a free loopback port, with its database at <paramref name="databasePath"/>.</summary>
    public static Dictionary<string, string> OnLoopback(string databasePath) => new()
    {
        ["DATA_PATH"] = databasePath,
        ["HOST"] = "127.0.0.1",
        ["PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
    };

    /// <param name="environment">The process's settings.</param>
    /// <param name="launcher">A command that runs the DataApi in its own process, e.g. <c>prlimit --nofile=1024:1024 --</c>.</param>
    /// <param name="build">The build to run; the JIT build unless given.</param>
    public static DataApiProcess Start(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher = null, DataApiBuild? build = null)
    {
        var command = (build ?? DataApiBuild.Jit).Command;
        var program = command[^1];
        return new(CapturedProcess.StartCommandThrough(launcher ?? [], command, Path.GetDirectoryName(program)!, environment, InheritedPrefixesToDrop));
    }

    /// <summary>Starts the DataApi with settings that name HOST and PORT, and waits until it is ready.</summary>
    public static async Task<DataApiProcess> StartReadyAsync(
        IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher = null, DataApiBuild? build = null)
    {
        var process = Start(environment, launcher, build);
        process.Client = new HttpClient { BaseAddress = new Uri($"http://{environment["HOST"]}:{environment["PORT"]}") };
        try
        {
            await Readiness.WaitUntilReadyAsync(process.Client, TimeSpan.FromSeconds(30),
                () => process._process.Process.HasExited ? $"The DataApi exited: {process._process.Output}" : null);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.Process.WaitForExitAsync(cancellation.Token);
        return _process.Process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no flush, no disposal.</summary>
    public async Task KillAsync()
    {
        _process.Process.Kill(entireProcessTree: true);
        await _process.Process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.Process.HasExited)
        {
            _process.Process.Kill(entireProcessTree: true);
            await _process.Process.WaitForExitAsync();
        }
        Client?.Dispose();
        _process.Dispose();
    }
}
