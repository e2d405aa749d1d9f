using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.DataApi;

[Collection(AloneCollection.Name)]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_acknowledged_write_and_delete_survives_a_kill_9()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));

        var written = new ConcurrentDictionary<string, int>();
        var deleted = new ConcurrentBag<string>();
        await using (var process = await DataApiProcess.StartReadyAsync(environment))
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

        await using var restarted = await DataApiProcess.StartReadyAsync(environment);
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
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var writers = Enumerable.Range(0, Clients).Select(client => new LoadWriter(client)).ToArray();

        await using (var process = await DataApiProcess.StartReadyAsync(environment))
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

        await using var restarted = await DataApiProcess.StartReadyAsync(environment);
        var lost = new ConcurrentBag<string>();
        var keys = writers.SelectMany(writer => writer.Keys).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, cancellationToken) =>
        {
            using var response = await restarted.Client.GetAsync($"/data/{key.Name}", cancellationToken);
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
        output.WriteLine($"{keys.Count} keys checked after the restart in {clock.ElapsedMilliseconds} ms");

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

    /// <summary>One client of the load: writes its own keys, one request at a time, and keeps each key's history.</summary>
    private sealed class LoadWriter(int client)
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
            var status = await SendAsync(() => http.PostAsJsonAsync("/data", new { key = key.Name, value }));
            Settle(key, status, expected, value);
        }

        private async Task DeleteAsync(HttpClient http, KeyHistory key)
        {
            var status = await SendAsync(() => http.DeleteAsync($"/data/{key.Name}"));
            Settle(key, status, HttpStatusCode.NoContent, null);
            if (status == HttpStatusCode.NoContent)
            {
                Deletes++;
            }
        }

        /// <summary>The status of the answer, or null when none came (the process was killed, the connection reset).</summary>
        private async Task<HttpStatusCode?> SendAsync(Func<Task<HttpResponseMessage>> send)
        {
            _waiting = true;
            try
            {
                using var response = await send();
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                Unanswered++;
                return null;
            }
            finally
            {
                _waiting = false;
            }
        }

        private void Settle(KeyHistory key, HttpStatusCode? status, HttpStatusCode expected, JsonElement? value)
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

            // Not acknowledged: it may have landed or not. The key is written no more, so that nothing can land after
            // a later write to it.
            Unacknowledged++;
            key.Unacknowledged.Add(value);
            _live.Remove(key);
            if (status is { } unexpected && unexpected != HttpStatusCode.ServiceUnavailable)
            {
                Surprises.Add($"{key.Name}: {(int)unexpected} where {(int)expected} was expected");
            }
        }
    }

    /// <summary>What a key may hold after the restart: its last acknowledged state, or one that was never answered.</summary>
    private sealed class KeyHistory(string name)
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
