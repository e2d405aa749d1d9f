using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// The DataApi killed with SIGKILL while it writes: every acknowledged write and delete is there after a restart. Each
/// subclass runs the cases on its own store; the PostgreSQL one also stops the server itself.
/// </summary>
public abstract class DurabilityTests(ITestOutputHelper output)
{
    protected ITestOutputHelper Output => output;

    /// <summary>The DataApi's settings (HOST and PORT among them) on a fresh, empty store of the subclass's kind.</summary>
    protected abstract Task<Dictionary<string, string>> CreateEnvironmentAsync(TemporaryDirectory directory);

    /// <summary>The build the cases run: the JIT build unless a subclass names the native one.</summary>
    protected virtual DataApiBuild Build => DataApiBuild.Jit;

    [Fact]
    public async Task Every_acknowledged_write_and_delete_survives_a_kill_9()
    {
        using var directory = new TemporaryDirectory();
        var environment = await CreateEnvironmentAsync(directory);

        var written = new ConcurrentDictionary<string, int>();
        var deleted = new ConcurrentBag<string>();
        await using (var process = await DataApiProcess.StartReadyAsync(environment, build: Build))
        {
            var client = process.Client;

            await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
            {
                var key = $"key-{i}";
                var response = await client.PostAsJsonAsync("/data", new { key, value = i }, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    written[key] = i;
                }
                if (i % 5 == 0 && (await client.DeleteAsync($"/data/{key}", cancellationToken)).StatusCode == HttpStatusCode.NoContent)
                {
                    deleted.Add(key);
                }
            });

            // The moment the last acknowledgement arrived: no graceful shutdown, no checkpoint.
            await process.KillAsync();
        }
        Assert.Equal(200, written.Count);
        Assert.Equal(40, deleted.Count);

        await using var restarted = await DataApiProcess.StartReadyAsync(environment, build: Build);
        foreach (var (key, value) in written)
        {
            var response = await restarted.Client.GetAsync($"/data/{key}");
            if (deleted.Contains(key))
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(value, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
            }
        }
    }

    /// <summary>
    /// 64 clients write at once, each as fast as it is answered: new keys, replaces and deletes of its own keys, one
    /// request at a time, so that the order of the writes to a key is known. The process is killed while writes are in
    /// flight. After a restart every key holds what its last acknowledged write left (an item with that value, or none
    /// after a 204), or what a later write that was never answered may have left.
    /// </summary>
    [Fact]
    public async Task Every_acknowledged_write_and_delete_survives_a_kill_9_under_64_concurrent_writers()
    {
        const int Clients = 64;
        var loadTime = TimeSpan.FromSeconds(2.5);
        using var directory = new TemporaryDirectory();
        var environment = await CreateEnvironmentAsync(directory);
        var writers = Enumerable.Range(0, Clients).Select(client => new LoadWriter(client)).ToArray();

        await using (var process = await DataApiProcess.StartReadyAsync(environment, build: Build))
        {
            using var killed = new CancellationTokenSource();
            var running = writers.Select(writer => Task.Run(() => writer.WriteUntilKilledAsync(process.Client, killed.Token))).ToArray();
            await Task.Delay(loadTime);
            var inFlight = writers.Count(writer => writer.IsWaiting);
            // No shutdown, no flush: the writes being answered at this moment are cut off.
            await process.KillAsync();
            await killed.CancelAsync();
            await Task.WhenAll(running);
            Assert.True(inFlight > 0, "no write was in flight when the process was killed");
            output.WriteLine($"{writers.Sum(writer => writer.Acknowledged)} writes acknowledged in {loadTime.TotalSeconds} s by {Clients} clients, "
                + $"{inFlight} clients waiting for an answer just before the kill, {writers.Sum(writer => writer.Unanswered)} requests never answered, "
                + $"{writers.Sum(writer => writer.Unacknowledged) - writers.Sum(writer => writer.Unanswered)} answered otherwise than acknowledged");
        }

        var surprises = writers.SelectMany(writer => writer.Surprises).ToList();
        Assert.True(surprises.Count == 0, $"answers no client could expect before the kill:\n{string.Join('\n', surprises.Take(5))}");
        Assert.True(writers.Sum(writer => writer.Acknowledged) >= Clients, "fewer writes were acknowledged than there are clients: the kill tests little");
        Assert.True(writers.Sum(writer => writer.Deletes) > 0, "no delete was acknowledged");

        await using var restarted = await DataApiProcess.StartReadyAsync(environment, build: Build);
        await AssertEveryKeyHoldsWhatWasAcknowledgedAsync(restarted.Client, writers);
    }

    /// <summary>Reads every key the writers wrote: each holds what its last acknowledged write left, or what a later unanswered one may have left.</summary>
    protected async Task AssertEveryKeyHoldsWhatWasAcknowledgedAsync(HttpClient client, IEnumerable<LoadWriter> writers)
    {
        var lost = new ConcurrentBag<string>();
        var keys = writers.SelectMany(writer => writer.Keys).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, cancellationToken) =>
        {
            using var response = await client.GetAsync($"/data/{key.Name}", cancellationToken);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"GET {key.Name}: {response.StatusCode}");
            JsonElement? found = response.StatusCode == HttpStatusCode.OK
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("value")
                : null;
            if (!key.Allows(found))
            {
                lost.Add($"{key.Name}: found {Describe(found)}, acknowledged {Describe(key.Acknowledged)}"
                    + (key.Unacknowledged.Count > 0 ? $" (or, unanswered, {string.Join(" or ", key.Unacknowledged.Select(Describe))})" : ""));
            }
        });
        output.WriteLine($"{keys.Count} keys checked in {clock.ElapsedMilliseconds} ms");

        Assert.True(lost.IsEmpty, $"{lost.Count} of {keys.Count} keys do not hold what their last acknowledged write left:\n{string.Join('\n', lost.Take(5))}");
    }

    /// <summary>A value's first characters and its length: the padding would fill the message.</summary>
    private static string Describe(JsonElement? value)
    {
        if (value is null)
        {
            return "no item";
        }
        var text = value.Value.GetRawText();
        return text.Length <= 60 ? text : $"{text[..60]}… ({text.Length} characters)";
    }

    /// <summary>
    /// One client of the load: writes its own keys, one request at a time, and keeps each key's history. Given an
    /// <see cref="Outage"/>, a request both sent and answered while the store is down must get a 503 problem with
    /// Retry-After, and what it asked must not have landed; after any 503 the writer waits <c>backOff</c>.
    /// </summary>
    protected sealed class LoadWriter(int client, Outage? outage = null, TimeSpan backOff = default)
    {
        private readonly Random _random = new(client);
        private readonly List<KeyHistory> _live = [];
        private volatile bool _waiting;

        public List<KeyHistory> Keys { get; } = [];

        public List<string> Surprises { get; } = [];

        public int Acknowledged { get; private set; }

        public int Unacknowledged { get; private set; }

        public int Deletes { get; private set; }

        /// <summary>Requests that got no answer at all (the connection failed).</summary>
        public int Unanswered { get; private set; }

        /// <summary>Requests sent and answered while the store was down (each a 503, or a surprise).</summary>
        public int DuringOutage { get; private set; }

        /// <summary>Writes and deletes acknowledged that were sent after the store came back.</summary>
        public int AcknowledgedAfterOutage { get; private set; }

        public bool IsWaiting => _waiting;

        /// <summary>Writes until <paramref name="killed"/>, which only ends the loop: a request in flight runs on.</summary>
        public async Task WriteUntilKilledAsync(HttpClient http, CancellationToken killed)
        {
            // A request that got no answer means the process is gone: nothing more is sent.
            for (var operation = 0; !killed.IsCancellationRequested && Unanswered == 0; operation++)
            {
                var choice = _random.NextDouble();
                if (_live.Count == 0 || choice < 0.55)
                {
                    var key = new KeyHistory($"load-{client:D2}-{Keys.Count}");
                    Keys.Add(key);
                    await WriteAsync(http, key, operation, HttpStatusCode.Created);
                }
                else if (choice < 0.85)
                {
                    await WriteAsync(http, _live[_random.Next(_live.Count)], operation, HttpStatusCode.OK);
                }
                else
                {
                    await DeleteAsync(http, _live[_random.Next(_live.Count)]);
                }
            }
        }

        private async Task WriteAsync(HttpClient http, KeyHistory key, int operation, HttpStatusCode expected)
        {
            // Values of a few bytes to a few kilobytes, each one a client's only.
            var value = JsonSerializer.SerializeToElement(new { client, operation, padding = new string('p', _random.Next(0, 4096)) });
            var (status, refused) = await SendAsync(key, () => http.PostAsJsonAsync("/data", new { key = key.Name, value }));
            Settle(key, status, expected, value, refused);
        }

        private async Task DeleteAsync(HttpClient http, KeyHistory key)
        {
            var (status, refused) = await SendAsync(key, () => http.DeleteAsync($"/data/{key.Name}"));
            Settle(key, status, HttpStatusCode.NoContent, null, refused);
            if (status == HttpStatusCode.NoContent)
            {
                Deletes++;
            }
        }

        /// <summary>
        /// The status of the answer, or null when none came (the process was killed, the connection reset); refused
        /// when the request was sent after the store was down and answered before it was started again, so that it
        /// cannot have landed.
        /// </summary>
        private async Task<(HttpStatusCode? Status, bool Refused)> SendAsync(KeyHistory key, Func<Task<HttpResponseMessage>> send)
        {
            _waiting = true;
            var sentWhile = outage?.Phase;
            try
            {
                using var response = await send();
                var refused = sentWhile == OutagePhase.Down && outage!.Phase == OutagePhase.Down;
                if (refused)
                {
                    DuringOutage++;
                    if (response.IsSuccessStatusCode)
                    {
                        Surprises.Add($"{key.Name}: {(int)response.StatusCode} while the store was down");
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable
                        && (response.Headers.RetryAfter is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                    {
                        Surprises.Add($"{key.Name}: a 503 while the store was down without Retry-After or not a problem: "
                            + $"{response.Headers.RetryAfter}, {response.Content.Headers.ContentType}");
                    }
                }
                else if (sentWhile == OutagePhase.Back && response.IsSuccessStatusCode)
                {
                    AcknowledgedAfterOutage++;
                }
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && backOff > TimeSpan.Zero)
                {
                    await Task.Delay(backOff);
                }
                return (response.StatusCode, refused);
            }
            catch (HttpRequestException)
            {
                Unanswered++;
                return (null, false);
            }
            finally
            {
                _waiting = false;
            }
        }

        private void Settle(KeyHistory key, HttpStatusCode? status, HttpStatusCode expected, JsonElement? value, bool refused)
        {
            if (status == expected)
            {
                Acknowledged++;
                key.Acknowledged = value;
                key.Unacknowledged.Clear();
                if (value is null)
                {
                    _live.Remove(key);
                }
                else if (!_live.Contains(key))
                {
                    _live.Add(key);
                }
                return;
            }

            // Not acknowledged: it may have landed or not, unless the store was down all along. The key is written no
            // more, so that nothing can land after a later write to it.
            Unacknowledged++;
            if (!refused)
            {
                key.Unacknowledged.Add(value);
            }
            _live.Remove(key);
            if (status is { } unexpected && unexpected != HttpStatusCode.ServiceUnavailable)
            {
                Surprises.Add($"{key.Name}: {(int)unexpected} where {(int)expected} was expected");
            }
        }
    }

    /// <summary>What a key may hold after the restart: its last acknowledged state, or one that was never answered.</summary>
    protected sealed class KeyHistory(string name)
    {
        public string Name { get; } = name;

        /// <summary>The value of the last acknowledged write; null when there is none, or it was a delete.</summary>
        public JsonElement? Acknowledged { get; set; }

        /// <summary>What the writes sent after it, never answered, would leave (null for a delete).</summary>
        public List<JsonElement?> Unacknowledged { get; } = [];

        public bool Allows(JsonElement? found) => Same(found, Acknowledged) || Unacknowledged.Any(value => Same(found, value));

        private static bool Same(JsonElement? found, JsonElement? expected) =>
            found is null ? expected is null : expected is not null && JsonElement.DeepEquals(found.Value, expected.Value);
    }
}

/// <summary>Where an outage of the store stands, as the test that causes it sets it and the writers read it.</summary>
public enum OutagePhase
{
    Before,
    Stopping,
    Down,
    Starting,
    Back,
}

/// <summary>An outage of the store the test causes: <see cref="Phase"/> is Down only from the moment the stop completed until the start begins.</summary>
public sealed class Outage
{
    private volatile int _phase;

    public OutagePhase Phase
    {
        get => (OutagePhase)_phase;
        set => _phase = (int)value;
    }
}

/// <summary>The cases on SQLite: a fresh database file per test.</summary>
[Collection(AloneCollection.Name)]
public sealed class SqliteDurabilityTests(ITestOutputHelper output) : DurabilityTests(output)
{
    protected override Task<Dictionary<string, string>> CreateEnvironmentAsync(TemporaryDirectory directory) =>
        Task.FromResult(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")));
}

/// <summary>The cases on SQLite, run by the native (AOT) executable: the container image's build.</summary>
[Collection(AloneCollection.Name)]
public sealed class AotSqliteDurabilityTests(ITestOutputHelper output) : DurabilityTests(output)
{
    protected override DataApiBuild Build => DataApiBuild.Aot;

    protected override Task<Dictionary<string, string>> CreateEnvironmentAsync(TemporaryDirectory directory) =>
        Task.FromResult(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")));
}

/// <summary>
/// The cases on a real PostgreSQL, one server for the class and the items table dropped before each test; and the
/// server itself stopped at once (<c>pg_ctl stop -m immediate</c>: no checkpoint, the sessions killed) under the writers,
/// then started again under the same DataApi.
/// </summary>
[Collection(AloneCollection.Name)]
public class PostgresDurabilityTests(PostgresFixture postgres, ITestOutputHelper output) : DurabilityTests(output), IClassFixture<PostgresFixture>
{
    protected override async Task<Dictionary<string, string>> CreateEnvironmentAsync(TemporaryDirectory directory)
    {
        await postgres.ExecuteAsync("DROP TABLE IF EXISTS items");
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "unused.db"));
        environment["ConnectionStrings__data"] = postgres.ConnectionString;
        return environment;
    }

    /// <summary>
    /// 64 clients write as in the kill test; once 256 writes are acknowledged (at most 10 s), the server is stopped at
    /// once and left down for two seconds while they go
    /// on (each backing off a little after a 503), then started again. Requests sent after the stop completed and
    /// answered before the start began all get a 503 problem with Retry-After, and none of them lands; the DataApi
    /// recovers by itself; every acknowledged write and delete is there, read through the same DataApi.
    /// </summary>
    [Fact]
    public async Task Every_acknowledged_write_and_delete_survives_an_immediate_stop_of_the_server_and_writes_meanwhile_get_503()
    {
        const int Clients = 64;
        using var directory = new TemporaryDirectory();
        var environment = await CreateEnvironmentAsync(directory);
        var outage = new Outage();
        var writers = Enumerable.Range(0, Clients).Select(client => new LoadWriter(client, outage, TimeSpan.FromMilliseconds(20))).ToArray();

        await using var process = await DataApiProcess.StartReadyAsync(environment, build: Build);
        using var finished = new CancellationTokenSource();
        var running = writers.Select(writer => Task.Run(() => writer.WriteUntilKilledAsync(process.Client, finished.Token))).ToArray();
        int acknowledgedBefore, inFlight;
        var clock = Stopwatch.StartNew();
        try
        {
            // Under load: a DataApi just started opens its connections first, and the machine may be busy.
            while (writers.Sum(writer => writer.Acknowledged) < 4 * Clients && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
            acknowledgedBefore = writers.Sum(writer => writer.Acknowledged);
            inFlight = writers.Count(writer => writer.IsWaiting);
            var warmUp = clock.ElapsedMilliseconds;
            outage.Phase = OutagePhase.Stopping;
            clock.Restart();
            await postgres.StopImmediatelyAsync();
            outage.Phase = OutagePhase.Down;
            Output.WriteLine($"{acknowledgedBefore} writes acknowledged in {warmUp} ms before the stop, {inFlight} clients waiting for an answer at it; "
                + $"pg_ctl stop -m immediate took {clock.ElapsedMilliseconds} ms");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            outage.Phase = OutagePhase.Starting;
            clock.Restart();
            await postgres.StartAsync();
            outage.Phase = OutagePhase.Back;
        }
        Output.WriteLine($"pg_ctl start (crash recovery) took {clock.ElapsedMilliseconds} ms");

        // The same DataApi, not restarted, acknowledges writes again within seconds.
        clock.Restart();
        while (writers.Sum(writer => writer.AcknowledgedAfterOutage) < Clients && clock.Elapsed < TimeSpan.FromSeconds(10)
            && writers.Any(writer => writer.Unanswered == 0))
        {
            await Task.Delay(50);
        }
        var recovery = clock.ElapsedMilliseconds;
        await finished.CancelAsync();
        await Task.WhenAll(running);
        var duringOutage = writers.Sum(writer => writer.DuringOutage);
        var acknowledgedAfter = writers.Sum(writer => writer.AcknowledgedAfterOutage);
        Output.WriteLine($"{duringOutage} requests sent and answered while the server was down; {acknowledgedAfter} writes acknowledged "
            + $"after it was back, the first {Clients} within {recovery} ms; {writers.Sum(writer => writer.Unanswered)} requests never answered");

        var surprises = writers.SelectMany(writer => writer.Surprises).ToList();
        Assert.True(surprises.Count == 0,
            $"answers no client could expect:\n{string.Join('\n', surprises.Take(5))}\nwhat the DataApi logged as errors:\n{ErrorEntries(process.StandardOutput)}");
        Assert.False(process.HasExited, "the DataApi exited");
        Assert.True(acknowledgedBefore >= Clients, "fewer writes were acknowledged before the stop than there are clients: it tests little");
        Assert.True(duringOutage >= Clients, $"only {duringOutage} requests were sent and answered while the server was down");
        Assert.True(acknowledgedAfter >= Clients, $"only {acknowledgedAfter} writes were acknowledged after the server was back");
        Assert.True(writers.Sum(writer => writer.Deletes) > 0, "no delete was acknowledged");

        await AssertEveryKeyHoldsWhatWasAcknowledgedAsync(process.Client, writers);
    }

    /// <summary>The console log's error entries (<c>fail:</c> and the indented lines after it), the first five.</summary>
    private static string ErrorEntries(string log)
    {
        var entries = new List<string>();
        var inError = false;
        foreach (var line in log.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                inError = line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
                if (inError)
                {
                    entries.Add(line);
                }
            }
            else if (inError && entries[^1].Count(c => c == '\n') < 12)
            {
                entries[^1] += "\n" + line;
            }
        }
        return entries.Count == 0 ? "(nothing)" : string.Join('\n', entries.Take(5));
    }
}

/// <summary>
/// The PostgreSQL cases run by the native (AOT) executable: Npgsql through Aspire's client integration, its health
/// check and its metrics, compiled ahead of time.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class AotPostgresDurabilityTests(PostgresFixture postgres, ITestOutputHelper output) : PostgresDurabilityTests(postgres, output)
{
    protected override DataApiBuild Build => DataApiBuild.Aot;
}
