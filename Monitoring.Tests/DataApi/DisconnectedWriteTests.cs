using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// Clients that go away before their write is answered, against a real DataApi process: whatever became of their
/// writes, each of their keys is either absent or holds its whole value, the writes of the clients that stay are
/// answered and kept, and the service stays ready.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class DisconnectedWriteTests(ITestOutputHelper output)
{
    private enum Departure
    {
        /// <summary>The whole request is sent, then, after 0 to 45 ms, the connection is reset.</summary>
        ResetAfterBody,

        /// <summary>The whole request is sent, then, after 0 to 45 ms, the connection is closed (FIN both ways).</summary>
        CloseAfterBody,

        /// <summary>Half the body is sent, then the connection is reset: the write can never be whole.</summary>
        ResetMidBody,
    }

    [Fact]
    public async Task Writes_whose_clients_disconnect_leave_their_keys_absent_or_whole_and_other_writes_unharmed()
    {
        const int Disconnecting = 240;
        const int Steady = 8;
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        await using var process = await DataApiProcess.StartReadyAsync(environment);
        var client = process.Client;

        var sent = new ConcurrentDictionary<string, (Departure Departure, JsonElement Value)>();
        using var disconnectsDone = new CancellationTokenSource();
        var steadyWrites = Enumerable.Range(0, Steady).Select(writer => Task.Run(async () =>
        {
            var acknowledged = new List<(string Key, JsonElement Value)>();
            // At least 20 each, so that they are still writing while the last clients disconnect.
            while (!disconnectsDone.IsCancellationRequested || acknowledged.Count < 20)
            {
                var key = $"steady-{writer}-{acknowledged.Count}";
                var value = JsonSerializer.SerializeToElement(new { writer, index = acknowledged.Count, padding = new string('s', 2048) });
                using var response = await client.PostAsJsonAsync("/data", new { key, value });
                Assert.True(response.StatusCode == HttpStatusCode.Created,
                    $"{key}, written beside disconnecting clients: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                acknowledged.Add((key, value));
            }
            return acknowledged;
        })).ToArray();

        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Disconnecting), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (index, cancellationToken) =>
            {
                var departure = (Departure)(index % 3);
                var key = $"gone-{index:D3}";
                // 1 to 16 KB: bodies that arrive in one read and bodies that take several.
                var value = JsonSerializer.SerializeToElement(new { index, padding = new string((char)('a' + index % 26), 1024 * (1 + index % 16)) });
                sent[key] = (departure, value);
                // Some leave before the write is read, some while it is stored, some after it is answered.
                var stay = TimeSpan.FromMilliseconds(3 * (index % 16));
                await PostAndLeaveAsync(port, JsonSerializer.SerializeToUtf8Bytes(new { key, value }), departure, stay, cancellationToken);
            });
        }
        finally
        {
            await disconnectsDone.CancelAsync();
        }
        var steady = (await Task.WhenAll(steadyWrites)).SelectMany(writes => writes).ToList();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var broken = new List<string>();
        var whole = 0;
        foreach (var (key, (departure, value)) in sent.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            using var response = await client.GetAsync($"/data/{key}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                broken.Add($"{key} ({departure}): GET answered {(int)response.StatusCode}");
                continue;
            }
            var stored = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value");
            if (departure == Departure.ResetMidBody)
            {
                broken.Add($"{key}: stored although only half its body was sent");
            }
            else if (!JsonElement.DeepEquals(stored, value))
            {
                broken.Add($"{key} ({departure}): stored a value of {stored.GetRawText().Length} characters that is not the one sent");
            }
            else
            {
                whole++;
            }
        }
        output.WriteLine($"{whole} of {Disconnecting} disconnected writes were stored whole, the others not at all; "
            + $"{steady.Count} writes of {Steady} steady clients beside them");
        Assert.True(broken.Count == 0, $"{broken.Count} keys of disconnected writes are neither absent nor whole:\n{string.Join('\n', broken.Take(5))}");

        // Every page lists whole values too, and every steady write is there.
        var listed = new Dictionary<string, JsonElement>();
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await client.GetByteArrayAsync("/data?limit=1000" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))));
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                listed[item.GetProperty("key").GetString()!] = item.GetProperty("value").Clone();
            }
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.All(listed.Where(entry => entry.Key.StartsWith("gone-", StringComparison.Ordinal)), entry =>
            Assert.True(JsonElement.DeepEquals(entry.Value, sent[entry.Key].Value), $"{entry.Key} is listed with a value that is not the one sent"));
        Assert.All(steady, write =>
            Assert.True(listed.TryGetValue(write.Key, out var value) && JsonElement.DeepEquals(value, write.Value), $"{write.Key} was acknowledged but is not listed as written"));
    }

    /// <summary>
    /// Sends a POST /data of <paramref name="body"/> on a connection of its own and leaves <paramref name="stay"/> later,
    /// without reading a byte.
    /// </summary>
    private static async Task PostAndLeaveAsync(int port, byte[] body, Departure departure, TimeSpan stay, CancellationToken cancellationToken)
    {
        var head = Encoding.ASCII.GetBytes($"POST /data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        await socket.SendAsync(head, SocketFlags.None, cancellationToken);
        var length = departure == Departure.ResetMidBody ? body.Length / 2 : body.Length;
        await socket.SendAsync(body.AsMemory(0, length), SocketFlags.None, cancellationToken);
        await Task.Delay(stay, cancellationToken);
        if (departure == Departure.CloseAfterBody)
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        else
        {
            // A linger of 0 makes Close send a reset rather than a FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        socket.Close();
    }
}
