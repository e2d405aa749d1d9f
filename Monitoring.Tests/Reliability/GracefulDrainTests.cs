using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>SIGTERM, as an orchestrator stops the service: what is in flight completes, nothing new gets in.</summary>
[Collection(AloneCollection.Name)]
public sealed class GracefulDrainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_request_in_flight_at_SIGTERM_completes_and_the_process_exits_0()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes("""{"key":"drained","value":{"sent":"in two halves, SIGTERM between them"}}""");
        var head = Encoding.ASCII.GetBytes($"POST /data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");

        await using (var process = await DataApiProcess.StartReadyAsync(environment))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await socket.SendAsync(head);
            await socket.SendAsync(body.AsMemory(0, body.Length / 2));
            // The endpoint is now waiting for the rest of its body.
            await Task.Delay(TimeSpan.FromMilliseconds(500));

            var clock = Stopwatch.StartNew();
            PosixSignal.Send(process.ProcessId, PosixSignal.Terminate);
            var refusedAfter = await WaitUntilRefusedAsync(port, TimeSpan.FromSeconds(20));
            output.WriteLine($"new connections refused {refusedAfter.TotalMilliseconds:F0} ms after SIGTERM");
            Assert.False(process.HasExited, "the process exited with a request still in flight");

            await socket.SendAsync(body.AsMemory(body.Length / 2));
            var response = await ReadResponseAsync(socket, TimeSpan.FromSeconds(30));
            output.WriteLine($"in-flight request answered {clock.ElapsedMilliseconds} ms after SIGTERM: {response.Split("\r\n")[0]}");
            Assert.StartsWith("HTTP/1.1 201 ", response, StringComparison.Ordinal);

            var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"exit code {exitCode}, {clock.ElapsedMilliseconds} ms after SIGTERM");
            Assert.Equal(0, exitCode);
        }

        await using var restarted = await DataApiProcess.StartReadyAsync(environment);
        var item = await restarted.Client.GetFromJsonAsync<JsonElement>("/data/drained");
        Assert.Equal("in two halves, SIGTERM between them", item.GetProperty("value").GetProperty("sent").GetString());
    }

    /// <summary>How long until a new connection to the port is refused.</summary>
    private static async Task<TimeSpan> WaitUntilRefusedAsync(int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            }
            // Reset: the connection was still in the listener's backlog when the listener closed.
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                return clock.Elapsed;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
        throw new TimeoutException($"new connections were still accepted {timeout} after SIGTERM");
    }

    /// <summary>The response head and body, read until the server closes the connection (it does so when it stops).</summary>
    private static async Task<string> ReadResponseAsync(Socket socket, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // Reset once the process is gone: what was read is the answer.
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
