using System.Text;

namespace Monitoring.LoadBench;

/// <summary>/metrics latency and size at one series count, with and without Accept-Encoding: gzip.</summary>
internal sealed record ScrapeLevel(
    int Series, Spread PlainMicroseconds, Spread GzipMicroseconds, long PlainBytes, long GzipBytes, string? GzipContentEncoding,
    double ServerCpuMicrosecondsPerScrape);

/// <summary>
/// The scrape's cost on a fresh DataApi (metrics on): first with the series a seeded, warmed-up service has, then after
/// traffic with many methods × routes × status codes has raised the series count towards the target. Each level starts
/// with untimed scrapes: the load warm-up never runs the exporter, whose code would otherwise be timed while the JIT is
/// still tiering it up, which a service scraped every 15 s has long finished.
/// </summary>
internal static class ScrapeCost
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PURGE", "LOCK"];

    private static readonly string[] Paths =
    [
        "/", "/health", "/health/ready", "/health/live", "/data", "/data?limit=0", "/data/bench", "/data/no-such-key",
        "/openapi/v1.json", "/no/such/route",
    ];

    public static async Task<IReadOnlyList<ScrapeLevel>> MeasureAsync(ServerProcess server, BenchOptions options, TextWriter log)
    {
        using var client = MetricsScrape.RawClient(server.BaseUrl);
        var levels = new List<ScrapeLevel> { await MeasureLevelAsync(server, client, options) };
        Log(log, levels[0]);

        if (options.TargetSeries > levels[0].Series)
        {
            await InflateAsync(client, options.TargetSeries);
            levels.Add(await MeasureLevelAsync(server, client, options));
            Log(log, levels[1]);
        }
        return levels;
    }

    private static void Log(TextWriter log, ScrapeLevel level) =>
        log.WriteLine($"scrape: {level.Series} series, plain {level.PlainMicroseconds.Median:F0} µs / {level.PlainBytes} B, gzip {level.GzipMicroseconds.Median:F0} µs / {level.GzipBytes} B, server CPU {level.ServerCpuMicrosecondsPerScrape:F0} µs/scrape");

    public static async Task<int> CountSeriesAsync(HttpClient client)
    {
        var scrape = await MetricsScrape.GetAsync(client, gzip: false);
        return MetricsScrape.CountSeries(Encoding.UTF8.GetString(scrape.Body));
    }

    private static async Task<ScrapeLevel> MeasureLevelAsync(ServerProcess server, HttpClient client, BenchOptions options)
    {
        var series = await CountSeriesAsync(client);
        for (var i = 0; i < options.ScrapeWarmup; i++)
        {
            await MetricsScrape.GetAsync(client, gzip: i % 2 == 0);
        }

        var scrapes = options.Scrapes;
        var cpuBefore = server.CpuSeconds();
        var plain = new List<MetricsScrape>(scrapes);
        var gzip = new List<MetricsScrape>(scrapes);
        for (var i = 0; i < scrapes; i++)
        {
            // Alternated, so that whatever drifts during the loop weighs on both alike.
            if (i % 2 == 0)
            {
                plain.Add(await MetricsScrape.GetAsync(client, gzip: false));
                gzip.Add(await MetricsScrape.GetAsync(client, gzip: true));
            }
            else
            {
                gzip.Add(await MetricsScrape.GetAsync(client, gzip: true));
                plain.Add(await MetricsScrape.GetAsync(client, gzip: false));
            }
        }
        var cpuMicroseconds = (server.CpuSeconds() - cpuBefore) * 1e6;
        return new ScrapeLevel(
            series,
            Spread.Of(plain.Select(scrape => scrape.Microseconds)),
            Spread.Of(gzip.Select(scrape => scrape.Microseconds)),
            (long)Spread.Of(plain.Select(scrape => (double)scrape.Body.Length)).Median,
            (long)Spread.Of(gzip.Select(scrape => (double)scrape.Body.Length)).Median,
            gzip[^1].ContentEncoding,
            cpuMicroseconds / (2.0 * scrapes));
    }

    /// <summary>One request per method × path (plus bad bodies on POST /data), a method at a time, until the target is reached.</summary>
    private static async Task InflateAsync(HttpClient client, int targetSeries)
    {
        foreach (var method in Methods)
        {
            foreach (var path in Paths)
            {
                await SendAsync(client, method, path, method is "POST" or "PUT" or "PATCH" ? ("""{"key":"inflate","value":1}""", "application/json") : null);
            }
            if (method == "POST")
            {
                await SendAsync(client, method, "/data", ("{", "application/json"));
                await SendAsync(client, method, "/data", ("key=inflate", "text/plain"));
            }
            if (await CountSeriesAsync(client) >= targetSeries)
            {
                return;
            }
        }
    }

    private static async Task SendAsync(HttpClient client, string method, string path, (string Text, string MediaType)? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is { } content)
        {
            request.Content = new StringContent(content.Text, Encoding.UTF8, content.MediaType);
        }
        using var response = await client.SendAsync(request);
    }
}
