using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>
/// Runs the <see cref="DataApiDrills"/> in the AppHost: each run is a loop of requests to one replica's own port
/// (<c>localhost:&lt;PORT&gt;</c>, the port the AppHost gave it), about <see cref="RequestsPerSecond"/> a second until the
/// drill's duration has passed, then it logs what it sent in the replica's console log. One run of a drill per replica at
/// a time: a second click while it runs is refused with the time left. Runs end early when the AppHost stops.
/// </summary>
public sealed partial class DrillRunner(ResourceNotificationService notifications, IHostApplicationLifetime lifetime) : IAsyncDisposable
{
    public const int RequestsPerSecond = 10;

    /// <summary>Asks the DataApi to answer with this status instead of running the endpoint (its fault switch).</summary>
    public const string FaultHeader = "X-Inject-Fault";

    private const string ApiKeyHeader = "X-API-Key";

    /// <summary>The keys the drills write, read and delete, in turn: the store does not grow with the drills' length.</summary>
    private const int KeyCount = 50;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Drill, string ResourceId), Run> _runs = [];
    private readonly CancellationTokenSource _stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);

    /// <summary>
    /// Starts <paramref name="drill"/> against the replica <paramref name="resourceId"/> and returns at once: the
    /// command's result says what it sends and until when, or why it does not start.
    /// </summary>
    public ExecuteCommandResult Start(Drill drill, string resourceId, string portVariable, string? apiKey, ILogger logger)
    {
        if (!notifications.TryGetCurrentState(resourceId, out var state)
            || state.Snapshot.State?.Text != KnownResourceStates.Running
            || !int.TryParse(state.Snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == portVariable)?.Value,
                NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return CommandResults.Failure($"{resourceId} is not running: start it, then run the drill again.");
        }

        lock (_lock)
        {
            if (_runs.TryGetValue((drill.Name, resourceId), out var running) && !running.Task.IsCompleted)
            {
                var left = Math.Max(1, (int)Math.Ceiling((running.Ends - DateTimeOffset.UtcNow).TotalSeconds));
                return CommandResults.Failure($"{drill.Title} is already running on {resourceId}: {left} s left.");
            }
            var ends = DateTimeOffset.UtcNow + drill.Duration;
            var address = new Uri($"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}");
            var duration = DataApiDrills.Describe(drill.Duration);
            LogStarted(logger, drill.Title, address, duration);
            _runs[(drill.Name, resourceId)] = new Run(ends, Task.Run(() => RunAsync(drill, address, apiKey, logger, _stopping.Token)));
            return CommandResults.Success(string.Create(CultureInfo.InvariantCulture,
                $"{drill.Title}: about {RequestsPerSecond} requests per second to {resourceId} until {ends.ToLocalTime():HH:mm:ss}."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] runs;
        lock (_lock)
        {
            runs = [.. _runs.Values.Select(run => run.Task)];
        }
        await Task.WhenAll(runs);
        _stopping.Dispose();
    }

    private static async Task RunAsync(Drill drill, Uri address, string? apiKey, ILogger logger, CancellationToken cancellationToken)
    {
        var counts = new Counts();
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / RequestsPerSecond));
        try
        {
            for (var n = 0; clock.Elapsed < drill.Duration && await timer.WaitForNextTickAsync(cancellationToken); n++)
            {
                using var request = Request(n, drill, apiKey);
                try
                {
                    using var response = await client.SendAsync(request, cancellationToken);
                    counts.Add((int)response.StatusCode);
                }
                catch (Exception exception) when (exception is HttpRequestException
                    || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // The replica is restarting or too slow: counted, and the drill goes on.
                    counts.Unanswered++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
        LogEnded(logger, drill.Title, clock.Elapsed.TotalSeconds, counts.Sent, counts.ServerErrors, counts.Unanswered);
    }

    /// <summary>
    /// The <paramref name="n"/>th request of a drill: a cycle of writes, reads, lists, misses and deletes over a few keys;
    /// with <see cref="Drill.FaultEvery"/>, every so many asks for a 500.
    /// </summary>
    private static HttpRequestMessage Request(int n, Drill drill, string? apiKey)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"drill-{n / 8 % KeyCount}");
        var request = (n % 8) switch
        {
            0 or 4 => new HttpRequestMessage(HttpMethod.Post, "/data")
            {
                Content = JsonContent.Create(new { key, value = new { drill = drill.Name, n } }),
            },
            1 or 5 or 6 => new HttpRequestMessage(HttpMethod.Get, $"/data/{key}"),
            2 => new HttpRequestMessage(HttpMethod.Get, "/data?limit=10"),
            3 => new HttpRequestMessage(HttpMethod.Get, $"/data/{key}-missing"),
            _ => new HttpRequestMessage(HttpMethod.Delete, $"/data/{key}"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, apiKey);
        }
        // The faulted position moves by one each cycle of 8, so the 500s spread over every method and endpoint.
        if (drill.FaultEvery > 0 && n % drill.FaultEvery == n / 8 % drill.FaultEvery)
        {
            request.Headers.Add(FaultHeader, "500");
        }
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("monitoring-drill", "1"));
        return request;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drill '{Drill}': sending requests to {Address} for {Duration}.")]
    private static partial void LogStarted(ILogger logger, string drill, Uri address, string duration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drill '{Drill}' ended after {Seconds:0} s: {Sent} requests answered, {ServerErrors} of them 5xx; {Unanswered} unanswered.")]
    private static partial void LogEnded(ILogger logger, string drill, double seconds, int sent, int serverErrors, int unanswered);

    private sealed record Run(DateTimeOffset Ends, Task Task);

    private sealed class Counts
    {
        public int Sent { get; private set; }

        public int ServerErrors { get; private set; }

        public int Unanswered { get; set; }

        public void Add(int status)
        {
            Sent++;
            if (status >= 500)
            {
                ServerErrors++;
            }
        }
    }
}
