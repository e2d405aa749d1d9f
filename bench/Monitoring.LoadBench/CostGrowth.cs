using System.Diagnostics;

namespace Monitoring.LoadBench;

/// <summary>One server's state at one moment of the growth test.</summary>
internal sealed record GrowthPoint(double CpuMicrosecondsPerRequest, double RequestsPerSecond, long ResidentBytes, long PeakResidentBytes, int Series);

/// <summary>
/// The flooded server before and after, the untouched control server measured in the same alternating windows, and the
/// flooded server's series count halfway through the flood (equal to the final count when labels are bounded).
/// </summary>
internal sealed record GrowthResult(
    GrowthPoint Before,
    GrowthPoint After,
    GrowthPoint ControlBefore,
    GrowthPoint ControlAfter,
    int SeriesHalfway,
    int Paths,
    double FloodSeconds,
    IReadOnlyDictionary<int, int> FloodStatuses)
{
    /// <summary>How much more CPU per request the flooded server costs after than before, net of the control's drift.</summary>
    public double NetCpuChangeMicroseconds =>
        (After.CpuMicrosecondsPerRequest - ControlAfter.CpuMicrosecondsPerRequest)
        - (Before.CpuMicrosecondsPerRequest - ControlBefore.CpuMicrosecondsPerRequest);
}

/// <summary>
/// Two fresh DataApi servers with metrics on; one gets a flood of distinct unmatched paths with random methods. Both are
/// measured in alternating windows before and after, so that the machine's drift shows in the control as well.
/// </summary>
internal static class CostGrowth
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    private const int FloodConcurrency = 16;
    private static readonly TimeSpan FloodTimeLimit = TimeSpan.FromMinutes(10);

    public static async Task<GrowthResult> MeasureAsync(ServerProcess flooded, ServerProcess control, BenchOptions options, TextWriter log)
    {
        var (before, controlBefore) = await PointsAsync(flooded, control, options);
        log.WriteLine($"growth: before {before.CpuMicrosecondsPerRequest:F1} µs/request (control {controlBefore.CpuMicrosecondsPerRequest:F1}), RSS {before.ResidentBytes / 1048576.0:F1} MiB, {before.Series} series");

        var stopwatch = Stopwatch.StartNew();
        var half = options.GrowthPaths / 2;
        var statuses = new Dictionary<int, int>();
        await FloodAsync(flooded.BaseUrl, 0, half, options.Seed, statuses);
        using var client = MetricsScrape.RawClient(flooded.BaseUrl);
        var seriesHalfway = await ScrapeCost.CountSeriesAsync(client);
        await FloodAsync(flooded.BaseUrl, half, options.GrowthPaths, options.Seed + FloodConcurrency, statuses);
        var floodSeconds = stopwatch.Elapsed.TotalSeconds;
        log.WriteLine($"growth: {options.GrowthPaths} distinct unmatched paths in {floodSeconds:F1} s, {seriesHalfway} series halfway");

        var (after, controlAfter) = await PointsAsync(flooded, control, options);
        log.WriteLine($"growth: after {after.CpuMicrosecondsPerRequest:F1} µs/request (control {controlAfter.CpuMicrosecondsPerRequest:F1}), RSS {after.ResidentBytes / 1048576.0:F1} MiB, {after.Series} series");
        return new GrowthResult(before, after, controlBefore, controlAfter, seriesHalfway, options.GrowthPaths, floodSeconds, statuses);
    }

    private static async Task<(GrowthPoint Flooded, GrowthPoint Control)> PointsAsync(ServerProcess flooded, ServerProcess control, BenchOptions options)
    {
        var floodedWindows = new List<WindowSample>();
        var controlWindows = new List<WindowSample>();
        for (var i = 0; i < options.GrowthWindows; i++)
        {
            // Alternating which goes first, as the load rounds shuffle.
            var first = i % 2 == 0 ? flooded : control;
            var second = i % 2 == 0 ? control : flooded;
            var firstSample = await LoadWindow.MeasureAsync(first, i, options.WindowSeconds, options);
            var secondSample = await LoadWindow.MeasureAsync(second, i, options.WindowSeconds, options);
            (first == flooded ? floodedWindows : controlWindows).Add(firstSample);
            (second == flooded ? floodedWindows : controlWindows).Add(secondSample);
        }
        return (await PointAsync(flooded, floodedWindows), await PointAsync(control, controlWindows));
    }

    private static async Task<GrowthPoint> PointAsync(ServerProcess server, IReadOnlyList<WindowSample> windows)
    {
        using var client = MetricsScrape.RawClient(server.BaseUrl);
        return new GrowthPoint(
            Spread.Of(windows.Select(window => window.CpuMicrosecondsPerRequest)).Median,
            Spread.Of(windows.Select(window => window.Wrk.RequestsPerSecond)).Median,
            server.ResidentBytes(),
            server.PeakResidentBytes(),
            await ScrapeCost.CountSeriesAsync(client));
    }

    /// <summary>Requests <paramref name="from"/> to <paramref name="to"/>, each to a path never used before, bounded in time as well.</summary>
    private static async Task FloodAsync(string baseUrl, int from, int to, int seed, Dictionary<int, int> statuses)
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var deadline = new CancellationTokenSource(FloodTimeLimit);
        var next = from - 1;

        async Task WorkerAsync(int worker)
        {
            // Random methods, reproducible from the run's seed; not security-sensitive.
#pragma warning disable CA5394
            var random = new Random(seed + worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < to)
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
    }
}
