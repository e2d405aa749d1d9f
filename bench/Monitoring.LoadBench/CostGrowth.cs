using System.Diagnostics;

namespace Monitoring.LoadBench;

/// <summary>The DataApi (metrics on) measured before and after a flood of distinct unmatched paths with random methods.</summary>
internal sealed record GrowthPoint(double CpuMicrosecondsPerRequest, double RequestsPerSecond, long ResidentBytes, long PeakResidentBytes, int Series);

internal sealed record GrowthResult(GrowthPoint Before, GrowthPoint After, int Paths, double FloodSeconds, IReadOnlyDictionary<int, int> FloodStatuses);

internal static class CostGrowth
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    private const int FloodConcurrency = 16;
    private static readonly TimeSpan FloodTimeLimit = TimeSpan.FromMinutes(10);

    public static async Task<GrowthResult> MeasureAsync(ServerProcess server, BenchOptions options, TextWriter log)
    {
        var before = await PointAsync(server, options);
        log.WriteLine($"growth: before {before.CpuMicrosecondsPerRequest:F1} µs/request, RSS {before.ResidentBytes / 1048576.0:F1} MiB, {before.Series} series");

        var stopwatch = Stopwatch.StartNew();
        var statuses = await FloodAsync(server.BaseUrl, options.GrowthPaths, options.Seed);
        var floodSeconds = stopwatch.Elapsed.TotalSeconds;
        log.WriteLine($"growth: {options.GrowthPaths} distinct unmatched paths in {floodSeconds:F1} s");

        var after = await PointAsync(server, options);
        log.WriteLine($"growth: after {after.CpuMicrosecondsPerRequest:F1} µs/request, RSS {after.ResidentBytes / 1048576.0:F1} MiB, {after.Series} series");
        return new GrowthResult(before, after, options.GrowthPaths, floodSeconds, statuses);
    }

    private static async Task<GrowthPoint> PointAsync(ServerProcess server, BenchOptions options)
    {
        var windows = new List<WindowSample>();
        for (var i = 0; i < options.GrowthWindows; i++)
        {
            windows.Add(await LoadWindow.MeasureAsync(server, i, options.WindowSeconds, options));
        }
        using var client = MetricsScrape.RawClient(server.BaseUrl);
        return new GrowthPoint(
            Spread.Of(windows.Select(window => window.CpuMicrosecondsPerRequest)).Median,
            Spread.Of(windows.Select(window => window.Wrk.RequestsPerSecond)).Median,
            server.ResidentBytes(),
            server.PeakResidentBytes(),
            await ScrapeCost.CountSeriesAsync(client));
    }

    /// <summary>Exactly <paramref name="count"/> requests, each to a path never used before, bounded in time as well.</summary>
    private static async Task<IReadOnlyDictionary<int, int>> FloodAsync(string baseUrl, int count, int seed)
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var deadline = new CancellationTokenSource(FloodTimeLimit);
        var statuses = new Dictionary<int, int>();
        var next = -1;

        async Task WorkerAsync(int worker)
        {
            // Random methods, reproducible from the run's seed; not security-sensitive.
#pragma warning disable CA5394
            var random = new Random(seed + worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var method = Methods[random.Next(Methods.Length)];
                var path = $"/growth/{index}/{random.Next():x8}";
#pragma warning restore CA5394
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
                using var response = await client.SendAsync(request, deadline.Token);
                lock (statuses)
                {
                    statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, FloodConcurrency).Select(WorkerAsync));
        return statuses;
    }
}
