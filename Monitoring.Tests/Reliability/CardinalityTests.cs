using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>Paths and methods chosen by clients must not become series, nor memory, on the real process.</summary>
[Collection(AloneCollection.Name)]
public sealed class CardinalityTests(ITestOutputHelper output)
{
    private const int Workers = 16;
    private const int DistinctPaths = 100_000;
    private const int DistinctMethods = 1_000;
    private const int WarmUpRequests = 10_000;
    private const long RssGrowthLimit = 10 * 1024 * 1024;

    // Every label combination this traffic can produce: GET on an unmatched path (404), an unknown method on an
    // unmatched path (404) or on /data (405, routing matched no endpoint for the method).
    private const int LabelCombinations = 3 * 2;

    [Fact]
    public async Task A_hundred_thousand_paths_and_a_thousand_methods_leave_series_and_memory_bounded()
    {
        using var directory = new TemporaryDirectory();
        await using var process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseCookies = false })
        {
            BaseAddress = process.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

        // Twice, so that the scrape's own GET /metrics series exist before the first count.
        await HttpSeriesSnapshot.ScrapeAsync(client);
        var initial = await HttpSeriesSnapshot.ScrapeAsync(client);

        // The same kinds of request as the measured run, with other paths and methods: the series they create and the
        // memory the server settles at (pools, JIT, connection buffers) are there before the measurement starts.
        await SendAsync(client, "warm-up", WarmUpRequests - 100, 100);
        var warmedUp = await HttpSeriesSnapshot.ScrapeAsync(client);
        var rssBefore = ResidentMemory.BytesOf(process.ProcessId);

        var clock = Stopwatch.StartNew();
        await SendAsync(client, "run", DistinctPaths, DistinctMethods);
        clock.Stop();
        var rssAfter = ResidentMemory.BytesOf(process.ProcessId);
        var final = await HttpSeriesSnapshot.ScrapeAsync(client);

        var added = final.NewSince(initial);
        output.WriteLine($"{DistinctPaths + DistinctMethods} requests ({DistinctPaths} distinct unmatched paths, {DistinctMethods} distinct methods) in {clock.Elapsed.TotalSeconds:F1} s, {(DistinctPaths + DistinctMethods) / clock.Elapsed.TotalSeconds:F0} req/s, after a warm-up of {WarmUpRequests}");
        output.WriteLine($"http_* series: {initial.Count} at start, {warmedUp.Count} after the warm-up, {final.Count} at the end ({added.Count} added)");
        output.WriteLine($"endpoint labels: {string.Join(", ", final.Endpoints)}; method labels: {string.Join(", ", final.Methods)}");
        output.WriteLine($"VmRSS: {ResidentMemory.Describe(rssBefore)} after the warm-up, {ResidentMemory.Describe(rssAfter)} after the run (growth {ResidentMemory.Describe(rssAfter - rssBefore)})");

        var templates = RouteTemplates();
        Assert.All(final.Methods, method => Assert.Contains(method, HttpSeriesSnapshot.BoundedMethods));
        Assert.All(final.Endpoints, endpoint => Assert.True(endpoint == "unmatched" || templates.Contains(endpoint),
            $"endpoint label '{endpoint}' is neither one of the DataApi's route templates nor 'unmatched'"));
        Assert.DoesNotContain(final.LabelValues, value => value.Contains("run-", StringComparison.OrdinalIgnoreCase)
            || value.Contains("warm-up-", StringComparison.OrdinalIgnoreCase));
        // Past its per-instrument limit the SDK folds new series into one marked otel_metric_overflow: a leak that reached
        // the limit during the warm-up would add nothing afterwards, but it shows here.
        Assert.DoesNotContain(final.Samples, sample => sample.Labels.ContainsKey("otel_metric_overflow"));
        Assert.Empty(final.NewSince(warmedUp));
        // Counted from the first scrape, before any of this traffic. A combination brings one counter, one gauge and three
        // histograms: 1 + 1 + 3 × (15 buckets + sum + count) at most.
        Assert.InRange(added.Count, 1, LabelCombinations * (2 + (3 * 17)));
        Assert.True(rssAfter - rssBefore < RssGrowthLimit,
            $"VmRSS grew by {ResidentMemory.Describe(rssAfter - rssBefore)} over {DistinctPaths + DistinctMethods} requests");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    /// <summary>Every route template the DataApi maps, read from its own endpoint data source.</summary>
    private static HashSet<string> RouteTemplates()
    {
        using var factory = new DataApiFactory();
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(endpoint => endpoint.RoutePattern.RawText)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>GETs on distinct unmatched paths, then distinct method tokens on /data and on unmatched paths.</summary>
    private static async Task SendAsync(HttpClient client, string phase, int paths, int methods)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var unexpected = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, paths + methods), new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = deadline.Token },
            async (i, cancellationToken) =>
            {
                var index = i.ToString(CultureInfo.InvariantCulture);
                using var request = i < paths
                    ? new HttpRequestMessage(HttpMethod.Get, $"/{phase}-{index}/x{index}")
                    : new HttpRequestMessage(new HttpMethod($"{phase.ToUpperInvariant()}-M{index}"), i % 2 == 0 ? "/data" : $"/{phase}-{index}");
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed))
                {
                    Interlocked.Increment(ref unexpected);
                }
            });
        Assert.Equal(0, unexpected);
    }
}
