using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>Idle connections, many or long-lived, cannot take the descriptors the process needs to keep serving.</summary>
[Collection(AloneCollection.Name)]
public sealed partial class ConnectionLimitTests(ITestOutputHelper output)
{
    private const int OpenFileLimit = 1024;

    /// <summary>More than the limit: every descriptor would be a connection if the server took them all.</summary>
    private const int IdleConnections = 1200;

    [Fact]
    public async Task Idle_connections_past_the_open_file_limit_are_refused_and_the_service_answers_once_they_close()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        // The sampler reads /proc several times while the connections are held, as it would in production.
        environment["METRICS_COLLECTION_INTERVAL"] = "0.5";
        await using var process = await DataApiProcess.StartReadyAsync(
            environment, ["prlimit", $"--nofile={OpenFileLimit}:{OpenFileLimit}", "--"]);

        var sockets = new List<Socket>(IdleConnections);
        var refused = 0;
        try
        {
            var clock = Stopwatch.StartNew();
            // Each connection's wait for the server to close it starts as soon as it is connected.
            using var watching = new CancellationTokenSource();
            var closings = new List<Task<TimeSpan?>>(IdleConnections);
            for (var i = 0; i < IdleConnections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException exception)
                {
                    Assert.Fail($"Connection {i + 1} failed ({exception.SocketErrorCode}); the DataApi "
                        + (process.HasExited ? $"exited: {process.StandardError}{process.StandardOutput}" : "is running"));
                }
                closings.Add(TimeUntilClosedAsync(socket, watching.Token));
            }
            output.WriteLine($"{IdleConnections} connections opened in {clock.ElapsedMilliseconds} ms");

            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(process.HasExited, $"The DataApi exited while the connections were held: {process.StandardError}{process.StandardOutput}");
            var descriptors = Directory.GetFileSystemEntries($"/proc/{process.ProcessId}/fd").Length;
            await watching.CancelAsync();
            var closed = (await Task.WhenAll(closings)).OfType<TimeSpan>().ToList();
            var held = IdleConnections - closed.Count;
            refused = closed.Count;
            output.WriteLine($"held {held}, closed by the server {closed.Count}"
                + (closed.Count > 0 ? $" (slowest {closed.Max().TotalMilliseconds:F0} ms after connecting)" : string.Empty)
                + $"; the process had {descriptors} of {OpenFileLimit} descriptors open");

            Assert.True(descriptors < OpenFileLimit, $"{descriptors} descriptors open at a limit of {OpenFileLimit}");
            Assert.True(held > 0, "no connection was held");
            Assert.True(closed.Count > 0, "no connection past the cap was closed by the server");
            Assert.True(closed.Max() < TimeSpan.FromSeconds(2), $"a connection past the cap was closed only after {closed.Max()}");

            var cap = LoggedCap(process.StandardOutput);
            output.WriteLine($"logged cap {cap}");
            // The client that waited for readiness holds one of the cap's connections.
            Assert.InRange(held, cap - 2, cap);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        var released = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = process.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntilLiveAsync(client, TimeSpan.FromSeconds(5));
        output.WriteLine($"/health/live 200 {released.ElapsedMilliseconds} ms after the connections closed");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "after", value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/after")).StatusCode);
        Assert.False(process.HasExited);

        // A flood of connections must not become a flood of log lines: each refusal is counted on /metrics instead.
        var refusals = (await PrometheusText.ScrapeAsync(client)).Series("kestrel_connection_duration_seconds_count")
            .Where(sample => sample.Labels.GetValueOrDefault("error_type") == "max_concurrent_connections_exceeded")
            .Sum(sample => sample.Value);
        output.WriteLine($"refusals counted on /metrics: {refusals}");
        Assert.True(refusals >= refused, $"{refusals} refusals counted on /metrics, {refused} connections refused");
        Assert.DoesNotContain("rejected because the maximum number of concurrent connections", process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_idle_for_KEEP_ALIVE_TIMEOUT_are_closed_by_the_server_whether_or_not_they_sent_a_request()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        environment["KEEP_ALIVE_TIMEOUT"] = "2";
        await using var process = await DataApiProcess.StartReadyAsync(environment);

        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var served = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await served.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await served.SendAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var silentClosed = TimeUntilClosedAsync(silent, bound.Token);
        var (response, servedIdle) = await ReadUntilClosedAsync(served, bound.Token);
        var silentIdle = await silentClosed;
        output.WriteLine($"closed after {silentIdle?.TotalMilliseconds:F0} ms without a request, {servedIdle?.TotalMilliseconds:F0} ms idle after a response");

        // Closed by this DataApi, not by its end (or by another server on the port, had this one failed to bind it).
        Assert.False(process.HasExited, $"The DataApi exited: {process.StandardError}{process.StandardOutput}");
        Assert.StartsWith("HTTP/1.1 200 ", response, StringComparison.Ordinal);
        // Kestrel checks its timeouts once a second; the rest of the margin is for a busy machine.
        Assert.NotNull(silentIdle);
        Assert.InRange(silentIdle.Value, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.NotNull(servedIdle);
        Assert.InRange(servedIdle.Value, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    /// <summary>How long after the call the server closed the connection; null if it was still open when cancelled.</summary>
    private static async Task<TimeSpan?> TimeUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[1];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset)
        {
        }
        return clock.Elapsed;
    }

    /// <summary>What the server sent, and how long the connection stayed open after the last of it; null if still open.</summary>
    private static async Task<(string Received, TimeSpan? IdleBeforeClose)> ReadUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        var sinceLastData = Stopwatch.StartNew();
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                sinceLastData.Restart();
            }
        }
        catch (OperationCanceledException)
        {
            return (received.ToString(), null);
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset)
        {
        }
        return (received.ToString(), sinceLastData.Elapsed);
    }

    private static async Task WaitUntilLiveAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var response = await client.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail($"/health/live did not answer 200 within {timeout} of the connections closing");
    }

    private static long LoggedCap(string standardOutput)
    {
        var match = CapLine().Match(standardOutput);
        Assert.True(match.Success, $"no cap derived from the open-file limit in the log: {standardOutput}");
        Assert.Equal(OpenFileLimit, long.Parse(match.Groups["limit"].Value, CultureInfo.InvariantCulture));
        return long.Parse(match.Groups["cap"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Connections capped at (?<cap>\d+), from the open-file limit \(open-file limit (?<limit>\d+)\)")]
    private static partial Regex CapLine();
}
