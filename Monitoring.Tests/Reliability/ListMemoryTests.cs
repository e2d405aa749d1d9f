using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>
/// Many clients paging through large values at once, some of them reading slowly: the DataApi's memory stays bounded
/// while they read and is given back afterwards.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ListMemoryTests(ITestOutputHelper output)
{
    private const int Items = 1000;
    private const int ValueCharacters = 60 * 1000;
    private const int Writers = 8;
    private const int FastReaders = 24;
    private const int SlowReaders = 8;
    private const int SlowReaderBytesPerSecond = 16 * 1024;
    private static readonly TimeSpan SlowReadersReadAtLeast = TimeSpan.FromSeconds(10);
    private const long PeakLimit = 300L * 1024 * 1024;
    private static readonly TimeSpan GiveBackWithin = TimeSpan.FromSeconds(30);

    // "Given back": within 30 s of the last reader leaving, RSS is at most 100 MiB above its reading before the list load.
    // A bounded load leaves behind only the GC heap's committed room for the next allocations: server GC grows to a heap
    // per core under load and keeps that room until it next collects, which an idle process does not do; that room does
    // not grow with the pages read (a full collection brings RSS back to the earlier reading). On a two-core runner it is
    // 60–75 MiB; pages kept referenced would keep far more (32 requests of one 60 MB page each: gigabytes).
    private const long GiveBackTolerance = 100L * 1024 * 1024;

    [Fact]
    public async Task Concurrent_pages_of_large_values_keep_memory_bounded_and_give_it_back()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        await using var process = await DataApiProcess.StartReadyAsync(environment);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = FastReaders + Writers, UseCookies = false })
        {
            BaseAddress = process.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var storing = Stopwatch.StartNew();
        await StoreLargeValuesAsync(client);
        output.WriteLine($"stored {Items} values of {ValueCharacters / 1000} KB in {storing.Elapsed.TotalSeconds:F1} s with {Writers} writers");

        var before = ResidentMemory.BytesOf(process.ProcessId);
        var rss = new RssSampler(process.ProcessId, TimeSpan.FromMinutes(2));
        await using (rss)
        {
            var listing = Stopwatch.StartNew();
            using var fastDone = new CancellationTokenSource();
            var slow = Enumerable.Range(0, SlowReaders).Select(_ => Task.Run(() => ReadSlowlyAsync(port, fastDone.Token))).ToList();
            var fast = Enumerable.Range(0, FastReaders).Select(_ => Task.Run(() => PageThroughAsync(client))).ToList();
            var pages = await Task.WhenAll(fast);
            var fastElapsed = listing.Elapsed;
            await fastDone.CancelAsync();
            var slowBytes = await Task.WhenAll(slow);
            var loadEnded = rss.Samples.Count > 0 ? rss.Samples[^1].At : TimeSpan.Zero;
            output.WriteLine($"{FastReaders} readers paged through every item in {fastElapsed.TotalSeconds:F1} s ({pages.Min()}–{pages.Max()} pages each); "
                + $"{SlowReaders} slow readers read {slowBytes.Min() / 1024}–{slowBytes.Max() / 1024} KiB each at {SlowReaderBytesPerSecond / 1024} KiB/s");

            var peak = rss.Samples.Max(sample => sample.Bytes);
            var givenBack = await WaitForRssAtMostAsync(process.ProcessId, before + GiveBackTolerance, GiveBackWithin);
            output.WriteLine($"VmRSS before the list load {ResidentMemory.Describe(before)}, peak {ResidentMemory.Describe(peak)}, "
                + (givenBack is { } after
                    ? $"{ResidentMemory.Describe(after.Bytes)} {after.After.TotalSeconds:F0} s after the readers finished"
                    : $"{ResidentMemory.Describe(ResidentMemory.TryBytesOf(process.ProcessId) ?? -1)} {GiveBackWithin.TotalSeconds:F0} s after the readers finished"));
            output.WriteLine("VmRSS each second: " + string.Join(", ", rss.Samples.Select(sample => $"{sample.At.TotalSeconds:F0}s {ResidentMemory.Describe(sample.Bytes)}")));

            if (process.HasExited)
            {
                Assert.Fail($"The DataApi exited during the load with code {await process.WaitForExitAsync(TimeSpan.FromSeconds(5))}: {process.StandardError}{process.StandardOutput}");
            }
            Assert.True(peak <= PeakLimit, $"VmRSS peaked at {ResidentMemory.Describe(peak)} (limit {ResidentMemory.Describe(PeakLimit)}) by {loadEnded.TotalSeconds:F0} s");
            Assert.True(givenBack is not null,
                $"VmRSS did not come back within {GiveBackWithin.TotalSeconds:F0} s to {ResidentMemory.Describe(before + GiveBackTolerance)} (before the load + {ResidentMemory.Describe(GiveBackTolerance)})");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private static string KeyOf(int index) => "item-" + index.ToString("D4", CultureInfo.InvariantCulture);

    private static async Task StoreLargeValuesAsync(HttpClient client)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var index = Interlocked.Increment(ref next); index < Items; index = Interlocked.Increment(ref next))
            {
                // Letters chosen by the index, so that no two values are alike.
                var random = new Random(index);
                var value = string.Create(ValueCharacters, random, (characters, state) =>
                {
                    for (var i = 0; i < characters.Length; i++)
                    {
                        characters[i] = (char)('a' + state.Next(26));
                    }
                });
                using var response = await client.PostAsJsonAsync("/data", new { key = KeyOf(index), value });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        })));
    }

    /// <summary>Pages through every item with the largest limit; checks that each comes exactly once, in key order.</summary>
    private static async Task<int> PageThroughAsync(HttpClient client)
    {
        var seen = 0;
        var pages = 0;
        string? cursor = null;
        do
        {
            var uri = "/data?limit=1000" + (cursor is null ? string.Empty : "&after=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                Assert.Equal(KeyOf(seen), item.GetProperty("key").GetString());
                Assert.Equal(ValueCharacters, item.GetProperty("value").GetString()!.Length);
                seen++;
            }
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(Items, seen);
        return pages;
    }

    /// <summary>
    /// A client behind a slow link: a small receive buffer, read at <see cref="SlowReaderBytesPerSecond"/> until the fast
    /// readers are done (and for at least <see cref="SlowReadersReadAtLeast"/>), then the connection is closed with the
    /// rest of the response unread. Returns the bytes it read.
    /// </summary>
    private static async Task<long> ReadSlowlyAsync(int port, CancellationToken fastReadersDone)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4 * 1024 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /data?limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), SocketFlags.None);

        var clock = Stopwatch.StartNew();
        var buffer = new byte[1024];
        var received = 0L;
        var head = new StringBuilder();
        while (clock.Elapsed < SlowReadersReadAtLeast || !fastReadersDone.IsCancellationRequested)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                break;
            }
            if (received == 0)
            {
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            received += read;
            var due = TimeSpan.FromSeconds(received / (double)SlowReaderBytesPerSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, CancellationToken.None);
            }
        }
        Assert.StartsWith("HTTP/1.1 200 ", head.ToString(), StringComparison.Ordinal);
        return received;
    }

    /// <summary>The first reading at or below <paramref name="bound"/> within <paramref name="within"/>, or null.</summary>
    private static async Task<(long Bytes, TimeSpan After)?> WaitForRssAtMostAsync(int processId, long bound, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var bytes = ResidentMemory.BytesOf(processId);
            if (bytes <= bound)
            {
                return (bytes, clock.Elapsed);
            }
            if (clock.Elapsed >= within)
            {
                return null;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
