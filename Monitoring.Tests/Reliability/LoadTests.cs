using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>A minute at saturation on loopback, with concurrent scrapes in the middle of it.</summary>
[Collection(AloneCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Workers = 12;
    private const int Keys = 500;
    private const int Scrapers = 16;
    private const int ScrapesEach = 10;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ScrapesStartAt = TimeSpan.FromSeconds(30);
    private const long FlatTolerance = 10 * 1024 * 1024;
    private static readonly TimeSpan WarmedUpAt = TimeSpan.FromSeconds(15);

    // Caches that fill slowly (connection pools, the series table, SQLite's statement cache) add a few bytes a request
    // at first; a leak of one small object a request is at least 24 bytes, and the 64-byte one tried adds 72.
    private const double RetainedBytesPerRequestLimit = 24;

    [Fact]
    public async Task A_minute_at_saturation_gives_no_5xx_flat_memory_and_scrapes_that_all_succeed()
    {
        using var directory = new TemporaryDirectory();
        await using var process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseCookies = false })
        {
            BaseAddress = process.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var rss = new RssSampler(process.ProcessId, Duration + TimeSpan.FromSeconds(5));
        await using (rss)
        {
            var scrapes = ScrapeDuringLoadAsync(client.BaseAddress!, clock);
            // The load pauses once warmed up, and once more at the end, for a full GC of the server and a reading of what its
            // objects hold: a leak of tens of bytes a request is lost in the resident set, which the GC's budgets move by
            // megabytes, but every request of the minute adds it to the live heap.
            await RunWorkersAsync(client, clock, WarmedUpAt, statuses, failures);
            var requestsWarmedUp = statuses.Values.Sum();
            var heapWarmedUp = await ManagedHeap.LiveBytesAfterFullGcAsync(process.ProcessId, process.Client, TimeSpan.FromSeconds(10));
            await RunWorkersAsync(client, clock, Duration, statuses, failures);
            var scrapeResults = await scrapes;
            clock.Stop();
            var heapAtEnd = await ManagedHeap.LiveBytesAfterFullGcAsync(process.ProcessId, process.Client, TimeSpan.FromSeconds(10));
            var retainedPerRequest = (double)(heapAtEnd - heapWarmedUp) / (statuses.Values.Sum() - requestsWarmedUp);

            var total = statuses.Values.Sum();
            output.WriteLine($"{total} requests in {clock.Elapsed.TotalSeconds:F1} s with {Workers} workers: {total / clock.Elapsed.TotalSeconds:F0} req/s");
            output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}×{pair.Value}")));
            output.WriteLine($"scrapes: {scrapeResults.Count(result => result is null)} of {Scrapers * ScrapesEach} succeeded, {Scrapers} at a time from {ScrapesStartAt.TotalSeconds} s");
            output.WriteLine("VmRSS every 5 s: " + string.Join(", ", rss.Samples.Where((_, i) => i % 5 == 4).Select(sample => $"{sample.At.TotalSeconds:F0}s {ResidentMemory.Describe(sample.Bytes)}")));
            var early = rss.MaxBetween(15, 25);
            var late = rss.MaxBetween(40, 60);
            output.WriteLine($"VmRSS max 15–25 s: {ResidentMemory.Describe(early)}, max 40–60 s: {ResidentMemory.Describe(late)}, all-run min {ResidentMemory.Describe(rss.Samples.Min(sample => sample.Bytes))} max {ResidentMemory.Describe(rss.Samples.Max(sample => sample.Bytes))}");
            output.WriteLine($"live managed heap after a full GC: {ResidentMemory.Describe(heapWarmedUp)} at {WarmedUpAt.TotalSeconds} s, {ResidentMemory.Describe(heapAtEnd)} at the end: {retainedPerRequest:F1} B retained per request over {total - requestsWarmedUp} requests");

            if (process.HasExited)
            {
                Assert.Fail($"The DataApi exited during the load with code {await process.WaitForExitAsync(TimeSpan.FromSeconds(5))}: {process.StandardError}{process.StandardOutput}");
            }
            Assert.True(failures.IsEmpty, $"{failures.Count} failed requests; first ones:\n" + string.Join('\n', failures.Take(20)));
            Assert.DoesNotContain(statuses.Keys, status => status >= 500);
            Assert.All(scrapeResults, result => Assert.Null(result));
            Assert.True(total > 1000, $"only {total} requests in a minute: not a load");

            // "Flat": by 15 s the JIT, the thread pool, the connection pool, SQLite's page cache and the GC's heap budget
            // have settled, so the highest reading of 15–25 s is the working set of this load. A leak that grows with
            // requests (hundreds of thousands more by 60 s) would lift the highest reading of 40–60 s above it; 10 MiB
            // leaves room for the GC's own breathing, and the maximum, not the mean, compares like with like.
            Assert.True(early > 0 && late > 0, "too few RSS samples");
            Assert.True(late <= early + FlatTolerance,
                $"VmRSS rose from {ResidentMemory.Describe(early)} (max 15–25 s) to {ResidentMemory.Describe(late)} (max 40–60 s)");
            Assert.True(retainedPerRequest < RetainedBytesPerRequestLimit,
                $"the live heap grew by {retainedPerRequest:F1} B per request from {WarmedUpAt.TotalSeconds} s to the end");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        // The histograms receive requests in batches: after the load, a scrape must show every request in each. A client
        // can read a response before the server has counted it, hence a few tries; a request lost stays lost.
        var answered = statuses.Values.Sum();
        var after = await PrometheusText.ScrapeAsync(client);
        for (var attempt = 0; attempt < 10 && DataRequests(after, "http_response_size_bytes_count") != answered; attempt++)
        {
            await Task.Delay(100);
            after = await PrometheusText.ScrapeAsync(client);
        }
        Assert.Equal(answered, DataRequests(after, "http_requests_total"));
        Assert.Equal(answered, DataRequests(after, "http_request_duration_seconds_count"));
        Assert.Equal(answered, DataRequests(after, "http_request_size_bytes_count"));
        Assert.Equal(answered, DataRequests(after, "http_response_size_bytes_count"));
    }

    private static double DataRequests(PrometheusText metrics, string name) =>
        metrics.Series(name).Where(sample => sample.Labels["endpoint"].StartsWith("/data", StringComparison.Ordinal)).Sum(sample => sample.Value);

    private static Task RunWorkersAsync(HttpClient client, Stopwatch clock, TimeSpan until, ConcurrentDictionary<int, int> statuses, ConcurrentQueue<string> failures) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(() => WorkAsync(client, worker, clock, until, statuses, failures))));

    /// <summary>Reads, writes, deletes and pages over a fixed set of keys until <paramref name="until"/>.</summary>
    private static async Task WorkAsync(
        HttpClient client, int worker, Stopwatch clock, TimeSpan until, ConcurrentDictionary<int, int> statuses, ConcurrentQueue<string> failures)
    {
        // Seeded by phase too, so that the second phase does not replay the first one's keys.
        var random = new Random(worker + (int)until.TotalSeconds * Workers);
        // Bounded twice: by the phase's end, and by a count no loopback run reaches in a minute.
        for (var i = 0; i < 10_000_000 && clock.Elapsed < until; i++)
        {
            var key = "load-" + random.Next(Keys).ToString(CultureInfo.InvariantCulture);
            var operation = random.Next(20);
            try
            {
                using var response = operation switch
                {
                    < 10 => await client.GetAsync($"/data/{key}"),
                    < 15 => await client.PostAsJsonAsync("/data", new { key, value = new { worker, i, text = "x" } }),
                    < 17 => await client.DeleteAsync($"/data/{key}"),
                    _ => await client.GetAsync("/data?limit=20&after=" + key),
                };
                await response.Content.LoadIntoBufferAsync();
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, count) => count + 1);
                if (status is not (200 or 201 or 204 or 404))
                {
                    failures.Enqueue($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {status}");
                }
            }
            catch (HttpRequestException exception)
            {
                failures.Enqueue($"operation {operation} on {key}: {exception.Message}");
            }
        }
    }

    /// <summary>
    /// From 30 s: 16 concurrent scrapers, 10 scrapes each, on connections of their own that are closed afterwards (what
    /// the server holds for an open connection is not what the heap comparison is about). Null for a good scrape,
    /// otherwise what was wrong.
    /// </summary>
    private static async Task<string?[]> ScrapeDuringLoadAsync(Uri address, Stopwatch clock)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Scrapers, UseCookies = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        await Task.Delay(ScrapesStartAt - clock.Elapsed);
        var scrapers = Enumerable.Range(0, Scrapers).Select(_ => Task.Run(async () =>
        {
            var results = new List<string?>();
            for (var i = 0; i < ScrapesEach; i++)
            {
                try
                {
                    using var response = await client.GetAsync("/metrics");
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        results.Add($"status {(int)response.StatusCode}");
                        continue;
                    }
                    var metrics = PrometheusText.Parse(text);
                    results.Add(metrics.Types.ContainsKey("http_requests_total") && metrics.Series("http_requests_total").Any()
                        ? null
                        : "no http_requests_total");
                }
                catch (Exception exception) when (exception is HttpRequestException or FormatException)
                {
                    results.Add(exception.Message);
                }
            }
            return results;
        }));
        return [.. (await Task.WhenAll(scrapers)).SelectMany(results => results)];
    }
}
