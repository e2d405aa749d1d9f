extern alias AppHost;

using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Infrastructure;
using Drills = AppHost::Monitoring.AppHost.DataApiDrills;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The dashboard's drill commands, run through <see cref="ResourceCommandService"/> as the dashboard runs them (on one
/// replica, by its resource id) against the AppHost started in Development, and their effect read from that replica's
/// own <c>/metrics</c>. The durations are shortened by their settings (<see cref="DrillFixture.TrafficSeconds"/>,
/// <see cref="DrillFixture.ErrorSeconds"/>): what is proven is that a drill sends its traffic for as long as its
/// setting says and then stops, not the 60 s and 3 minutes themselves (the model tests check those defaults).
/// </summary>
[Collection(DrillCollection.Name)]
public sealed class DrillTests(DrillFixture stack)
{
    [Fact]
    public async Task Generate_traffic_sends_requests_to_the_replica_for_its_duration_and_then_stops()
    {
        var before = await stack.CountAsync();

        var clock = Stopwatch.StartNew();
        var result = await stack.ExecuteAsync(Drills.TrafficCommandName);
        Assert.True(result.Success, result.Message);
        Assert.Contains("Generate traffic", result.Message, StringComparison.Ordinal);

        // One run at a time on a replica: a second click while it runs is refused, and says how long is left.
        var again = await stack.ExecuteAsync(Drills.TrafficCommandName);
        Assert.False(again.Success, "a second run started while the first was running");
        Assert.Matches(@"already running on dataapi-\w+: \d+ s left", again.Message);

        var (after, stoppedAt) = await stack.WaitUntilStillAsync(clock);
        var sent = after.Requests - before.Requests;
        AssertStoppedAfter(DrillFixture.TrafficSeconds, stoppedAt);
        // About 10 a second; at least half of that on a slow machine.
        Assert.InRange(sent, DrillFixture.TrafficSeconds * 5, DrillFixture.TrafficSeconds * 10 + 2);
        Assert.Equal(before.ServerErrors, after.ServerErrors);
        Assert.True(after.Endpoints.IsSupersetOf(["POST /data", "GET /data", "GET /data/{key}", "DELETE /data/{key}"]),
            $"the traffic reached only {string.Join(", ", after.Endpoints)}");
    }

    [Fact]
    public async Task Inject_errors_makes_a_quarter_of_its_requests_answer_500_for_its_duration_and_then_stops()
    {
        var before = await stack.CountAsync();

        var clock = Stopwatch.StartNew();
        var result = await stack.ExecuteAsync(Drills.ErrorsCommandName);
        Assert.True(result.Success, result.Message);

        var (after, stoppedAt) = await stack.WaitUntilStillAsync(clock);
        var sent = after.Requests - before.Requests;
        var errors = after.ServerErrors - before.ServerErrors;
        AssertStoppedAfter(DrillFixture.ErrorSeconds, stoppedAt);
        Assert.InRange(sent, DrillFixture.ErrorSeconds * 5, DrillFixture.ErrorSeconds * 10 + 2);
        // Every fourth request asks for a 500 through the fault switch the AppHost turned on.
        Assert.InRange(errors, sent / 4 - 2, sent / 4 + 2);
        Assert.Equal(errors, after.InjectedErrors - before.InjectedErrors);
    }

    /// <summary>The traffic went on until its duration had passed (less a tick), and stopped within two seconds of it.</summary>
    private static void AssertStoppedAfter(int seconds, TimeSpan stoppedAt) =>
        Assert.InRange(stoppedAt, TimeSpan.FromSeconds(seconds - 0.5), TimeSpan.FromSeconds(seconds + 2));
}

/// <summary>
/// The AppHost in Development with local processes and no Prometheus (its binary set to one that does not exist): the
/// DataApi alone, with the drills shortened to <see cref="TrafficSeconds"/> and <see cref="ErrorSeconds"/>.
/// </summary>
public sealed class DrillFixture : IAsyncLifetime
{
    public const int TrafficSeconds = 4;
    public const int ErrorSeconds = 6;

    private readonly TemporaryDirectory _directory = new();
    private DistributedApplication? _app;
    private HttpClient _replica = null!;
    private string _replicaId = null!;

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StackFixture.Timeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            [
                "--environment=Development",
                "--Monitoring:StackMode=LocalProcesses",
                "--Monitoring:PrometheusPath=/nonexistent/prometheus",
                $"--{Drills.TrafficSecondsSettingName}={TrafficSeconds}",
                $"--{Drills.ErrorsSecondsSettingName}={ErrorSeconds}",
            ],
            cancellation.Token);
        Assert.Equal("Development", builder.Environment.EnvironmentName);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(_directory.Path, "data.db"))
            // Nobody listens on the OTLP endpoint the testing builder injects; exporting to it only slows shutdown.
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        var healthy = await _app.ResourceNotifications.WaitForResourceHealthyAsync("dataapi", cancellation.Token);
        _replicaId = healthy.ResourceId;
        var port = healthy.Snapshot.EnvironmentVariables.Single(variable => variable.Name == "PORT").Value;
        _replica = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _replica?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _directory.Dispose();
    }

    /// <summary>Runs a command on the replica, as a click on its row in the dashboard does.</summary>
    public Task<ExecuteCommandResult> ExecuteAsync(string command) =>
        _app!.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(_replicaId, command);

    /// <summary>The replica's requests to the data endpoints so far, from its own <c>/metrics</c>.</summary>
    public async Task<Counts> CountAsync()
    {
        var metrics = await PrometheusText.ScrapeAsync(_replica);
        var data = metrics.Series("http_requests_total").Where(sample => sample.Labels["endpoint"].StartsWith("/data", StringComparison.Ordinal)).ToList();
        return new Counts(
            (int)data.Sum(sample => sample.Value),
            (int)data.Where(sample => sample.Labels["status_code"].StartsWith('5')).Sum(sample => sample.Value),
            (int)data.Where(sample => sample.Labels["status_code"] == "500").Sum(sample => sample.Value),
            [.. data.Select(sample => $"{sample.Labels["method"]} {sample.Labels["endpoint"]}")]);
    }

    /// <summary>
    /// Polls the counts until they have not moved for two seconds (at 10 requests a second, the drill has stopped), and
    /// returns them with the time on <paramref name="clock"/> at which they last moved.
    /// </summary>
    public async Task<(Counts Counts, TimeSpan StoppedAt)> WaitUntilStillAsync(Stopwatch clock)
    {
        var last = await CountAsync();
        var movedAt = clock.Elapsed;
        while (clock.Elapsed - movedAt < TimeSpan.FromSeconds(2))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the drill was still sending after {clock.Elapsed}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var now = await CountAsync();
            if (now.Requests != last.Requests)
            {
                last = now;
                movedAt = clock.Elapsed;
            }
        }
        return (last, movedAt);
    }

    /// <param name="Requests">Requests to /data and /data/{key}, whatever their status.</param>
    /// <param name="ServerErrors">Those answered 5xx.</param>
    /// <param name="InjectedErrors">Those answered 500.</param>
    /// <param name="Endpoints">"METHOD endpoint" of each series.</param>
    public sealed record Counts(int Requests, int ServerErrors, int InjectedErrors, HashSet<string> Endpoints);
}

/// <summary>The drills' own AppHost, alone: the tests time the drills.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrillCollection : ICollectionFixture<DrillFixture>
{
    public const string Name = "Drills";
}
