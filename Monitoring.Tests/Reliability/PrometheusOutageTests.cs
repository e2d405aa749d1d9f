using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>Prometheus pulls: its death in the middle of a scrape, its absence and its return are nothing to the DataApi.</summary>
[Collection(AloneCollection.Name)]
public sealed class PrometheusOutageTests(ITestOutputHelper output)
{
    private const int Workers = 4;
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_and_restarting_Prometheus_never_fails_a_DataApi_request()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var target = $"127.0.0.1:{environment["PORT"]}";
        var prometheusPort = FreePort.Next();
        var prometheusDirectory = Directory.CreateDirectory(Path.Combine(directory.Path, "prometheus")).FullName;

        await using var dataApi = await DataApiProcess.StartReadyAsync(environment);
        var prometheus = await PrometheusServer.StartReadyAsync(prometheusDirectory, prometheusPort, target);
        try
        {
            await prometheus.WaitForTargetUpAsync(DateTimeOffset.MinValue, ScrapeTimeout);

            var failures = new ConcurrentQueue<string>();
            var requests = 0;
            var readinessChecks = 0;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var traffic = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; i < 1_000_000 && !stop.IsCancellationRequested; i++)
                {
                    var key = $"outage-{worker}-{i % 100}";
                    await RecordAsync(failures, () => dataApi.Client.PostAsJsonAsync("/data", new { key, value = i }), HttpStatusCode.Created, HttpStatusCode.OK);
                    await RecordAsync(failures, () => dataApi.Client.GetAsync($"/data/{key}"), HttpStatusCode.OK);
                    Interlocked.Add(ref requests, 2);
                }
            })).ToList();
            var readiness = Task.Run(async () =>
            {
                for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
                {
                    await RecordAsync(failures, () => dataApi.Client.GetAsync("/health/ready"), HttpStatusCode.OK);
                    Interlocked.Increment(ref readinessChecks);
                    await Task.Delay(TimeSpan.FromMilliseconds(200));
                }
            });

            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await prometheus.KillAsync();
            output.WriteLine($"prometheus SIGKILLed at {clock.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(TimeSpan.FromSeconds(5));

            await prometheus.DisposeAsync();
            var restartedAt = DateTimeOffset.UtcNow;
            prometheus = await PrometheusServer.StartReadyAsync(prometheusDirectory, prometheusPort, target);
            output.WriteLine($"prometheus restarted at {clock.Elapsed.TotalSeconds:F1} s");
            await prometheus.WaitForTargetUpAsync(restartedAt, ScrapeTimeout);
            output.WriteLine($"target up again at {clock.Elapsed.TotalSeconds:F1} s");
            var up = await new PrometheusApi(prometheus.Client).WaitForDataAsync("up{job=\"dataapi\"} == 1", ScrapeTimeout);
            await Task.Delay(TimeSpan.FromSeconds(2));

            await stop.CancelAsync();
            await Task.WhenAll(traffic);
            await readiness;
            output.WriteLine($"{requests} DataApi requests and {readinessChecks} readiness checks over {clock.Elapsed.TotalSeconds:F1} s; failures: {failures.Count}");

            Assert.True(failures.IsEmpty, $"{failures.Count} failures; first ones:\n" + string.Join('\n', failures.Take(20)));
            Assert.True(requests > 100, $"only {requests} requests");
            Assert.Null(up.Error);
            Assert.NotEmpty(up.Series);
        }
        finally
        {
            await prometheus.DisposeAsync();
        }
    }

    private static async Task RecordAsync(ConcurrentQueue<string> failures, Func<Task<HttpResponseMessage>> send, params HttpStatusCode[] expected)
    {
        try
        {
            using var response = await send();
            if (!expected.Contains(response.StatusCode))
            {
                failures.Enqueue($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException exception)
        {
            failures.Enqueue(exception.Message);
        }
        catch (TaskCanceledException exception)
        {
            failures.Enqueue("timed out: " + exception.Message);
        }
    }
}
