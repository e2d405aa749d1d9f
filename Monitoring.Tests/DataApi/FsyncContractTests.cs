using System.Globalization;
using System.Text.RegularExpressions;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// The durability contract itself: between receiving a write and acknowledging it, the DataApi fsyncs the WAL. A
/// SIGKILL (DurabilityTests) keeps the operating system's page cache, so it cannot tell a missing fsync; a power cut
/// can. The system calls are read with strace, whose timestamps and the client's come from the same clock.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed partial class FsyncContractTests
{
    private const int Writes = 20;

    [Fact]
    public async Task Every_write_and_delete_is_fsynced_to_the_WAL_before_it_is_acknowledged()
    {
        using var directory = new TemporaryDirectory();
        var trace = Path.Combine(directory.Path, "fsync.trace");
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        // -f: every thread; -ttt: the wall clock at each call's entry, in microseconds; -y: the path behind each descriptor.
        await using var process = await DataApiProcess.StartReadyAsync(environment,
            ["strace", "-f", "-ttt", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, "--"]);
        var client = process.Client;

        // One at a time, so that no acknowledgement's window holds another request's fsync.
        var windows = new List<(string Request, double Sent, double Acknowledged)>();
        for (var index = 0; index < Writes; index++)
        {
            var key = $"fsync-{index}";
            windows.Add(await TimeAsync($"POST {key}", async () =>
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key, value = index })).StatusCode)));
            windows.Add(await TimeAsync($"POST {key} again", async () =>
                Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/data", new { key, value = -index })).StatusCode)));
            if (index % 4 == 0)
            {
                windows.Add(await TimeAsync($"DELETE {key}", async () =>
                    Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/data/{key}")).StatusCode)));
            }
        }

        // strace writes each call as it returns; the last one may still be on its way to the file.
        var walSyncs = Array.Empty<double>();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            walSyncs = WalSyncs(await ReadSharedAsync(trace));
            if (walSyncs.Length > 0 && walSyncs[^1] >= windows[^1].Sent)
            {
                break;
            }
            await Task.Delay(100);
        }

        Assert.All(windows, window => Assert.True(
            walSyncs.Any(at => at >= window.Sent && at <= window.Acknowledged),
            $"{window.Request}: no fsync of the WAL between sending it ({window.Sent:F6}) and its acknowledgement ({window.Acknowledged:F6}); "
            + $"{walSyncs.Length} WAL syncs in all"));
    }

    [Fact]
    public async Task Writes_that_arrive_during_a_commit_share_the_next_commit_and_its_fsync()
    {
        const int concurrentWrites = 32;
        using var directory = new TemporaryDirectory();
        var trace = Path.Combine(directory.Path, "fsync.trace");
        var databasePath = Path.Combine(directory.Path, "data.db");
        await using var process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(databasePath),
            ["strace", "-f", "-ttt", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, "--"]);
        var client = process.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "first", value = 0 })).StatusCode);

        Task<HttpResponseMessage>[] writes;
        double released;
        using (WriteQueueTests.WriteBlocker.Hold(databasePath))
        {
            // One write reaches the writer and waits for the lock; the others queue behind it.
            writes = [.. Enumerable.Range(0, concurrentWrites).Select(i => client.PostAsJsonAsync("/data", new { key = $"group-{i}", value = i }))];
            await Task.Delay(500);
            released = Now();
        }
        Assert.All(await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30)), response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        var acknowledged = Now();

        var walSyncs = Array.Empty<double>();
        for (var attempt = 0; attempt < 50 && walSyncs.Length == 0; attempt++)
        {
            walSyncs = [.. WalSyncs(await ReadSharedAsync(trace)).Where(at => at >= released && at <= acknowledged)];
            await Task.Delay(100);
        }
        // The write that waited for the lock commits alone, then the rest together: two fsyncs, where a transaction per
        // write would take 32.
        Assert.InRange(walSyncs.Length, 1, 3);
    }

    private static async Task<(string Request, double Sent, double Acknowledged)> TimeAsync(string request, Func<Task> send)
    {
        var sent = Now();
        await send();
        return (request, sent, Now());
    }

    private static double Now() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    /// <summary>When each successful fsync or fdatasync of a file ending in "-wal" started.</summary>
    private static double[] WalSyncs(string trace) => TraceLine().Matches(trace)
        .Select(match => double.Parse(match.Groups["at"].Value, CultureInfo.InvariantCulture))
        .Order()
        .ToArray();

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    // "12345 1764644000.123456 fdatasync(7</tmp/x/data.db-wal>) = 0"
    [GeneratedRegex(@"^\d+\s+(?<at>\d+\.\d+) f(?:data)?sync\(\d+<[^>]*-wal>\) = 0$", RegexOptions.Multiline)]
    private static partial Regex TraceLine();
}
