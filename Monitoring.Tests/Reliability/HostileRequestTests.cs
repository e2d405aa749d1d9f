using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Reliability;

/// <summary>
/// Requests a careless or hostile client sends, through real Kestrel: malformed chunk framing, every form of a request
/// target that names a key, bodies refused before they are read, and HEAD. Each subclass runs them on one build (JIT or
/// native AOT).
/// </summary>
public abstract class HostileRequestTests(HostileRequestTests.RunningDataApi dataApi)
{
    private readonly DataApiProcess _process = dataApi.Process;
    private readonly int _port = dataApi.Port;

    // What the process had logged before this test: each test judges only its own requests' log lines.
    private readonly int _loggedBefore = dataApi.Process.StandardOutput.Length;

    /// <summary>One process for the class; every test ends by checking that nothing was logged as an error.</summary>
    public abstract class RunningDataApi(DataApiBuild build) : IAsyncLifetime
    {
        private readonly TemporaryDirectory _directory = new();

        public DataApiProcess Process { get; private set; } = null!;

        public int Port { get; private set; }

        public async Task InitializeAsync()
        {
            var environment = DataApiProcess.OnLoopback(Path.Combine(_directory.Path, "data.db"));
            Port = int.Parse(environment["PORT"], System.Globalization.CultureInfo.InvariantCulture);
            Process = await DataApiProcess.StartReadyAsync(environment, build: build);
        }

        public async Task DisposeAsync()
        {
            // Null when the process never started (a native executable not published): the tests fail saying so.
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }
            _directory.Dispose();
        }
    }

    public sealed class RunningJitDataApi() : RunningDataApi(DataApiBuild.Jit);

    public sealed class RunningAotDataApi() : RunningDataApi(DataApiBuild.Aot);

    [Theory]
    [InlineData("100000000")]
    [InlineData("FFFFFFFFFFFFFFFF")]
    [InlineData("zz")]
    public async Task A_malformed_chunk_size_is_the_clients_400_logged_without_a_stack_trace(string chunkSize)
    {
        var before = await StatusCountsAsync();

        var response = await SendRawAsync("POST /data HTTP/1.1",
            ["Host: localhost", "Content-Type: application/json", "Transfer-Encoding: chunked"],
            Encoding.ASCII.GetBytes($"{chunkSize}\r\n{{\"key\":\"a\"}}"));

        Assert.NotNull(response);
        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        var after = await StatusCountsAsync();
        Assert.Equal(before.GetValueOrDefault("400") + 1, after.GetValueOrDefault("400"));
        Assert.Equal(before.GetValueOrDefault("500"), after.GetValueOrDefault("500"));
        AssertNothingLoggedAsError();
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_a_408_logged_below_error()
    {
        // Kestrel's minimum request body data rate (240 B/s after a 5 s grace) ends the read; the client is to blame.
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"key\":"));

        var response = RawHttpResponse.Parse(await ReceiveUntilClosedAsync(socket, TimeSpan.FromSeconds(20)));

        Assert.NotNull(response);
        Assert.Equal(408, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        AssertNothingLoggedAsError();
    }

    [Fact]
    public async Task Every_form_of_the_request_target_decodes_the_key_the_same_way()
    {
        var client = _process.Client;
        foreach (var key in new[] { "form/a/b", "form/a%2Fb" })
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key, value = key })).StatusCode);
        }

        // Absolute-form (as sent to a proxy) and the path's case, which routing ignores, reach the same item.
        Assert.Equal("form/a/b", await ValueAtAsync("GET http://localhost/data/form%2Fa%2Fb HTTP/1.1"));
        Assert.Equal("form/a%2Fb", await ValueAtAsync("GET http://localhost/data/form%2Fa%252Fb HTTP/1.1"));
        Assert.Equal("form/a%2Fb", await ValueAtAsync("GET /DATA/form%2Fa%252Fb HTTP/1.1"));
        Assert.Equal("form/a/b", await ValueAtAsync("GET /Data/form%2Fa%2Fb?x=1 HTTP/1.1"));
        // Dot segments are resolved before the key is taken, as the server resolves them before routing.
        Assert.Equal("form/a%2Fb", await ValueAtAsync("GET /data/elsewhere/../form%2Fa%252Fb HTTP/1.1"));
        Assert.Equal("form/a/b", await ValueAtAsync("GET /data/./form%2Fa%2Fb HTTP/1.1"));

        var deleted = await SendRawAsync("DELETE /Data/form%2Fa%252Fb HTTP/1.1", ["Host: localhost"], []);
        Assert.Equal(204, deleted?.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/form%2Fa%252Fb")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/form%2Fa%2Fb")).StatusCode);
        AssertNothingLoggedAsError();
    }

    [Theory]
    [InlineData("/data/%ff")]
    [InlineData("/data/%c0%af")]
    [InlineData("/data/a%e2%82")]
    [InlineData("/data/%zz")]
    [InlineData("/data/a%")]
    [InlineData("/data/%ed%a0%80")]
    [InlineData("http://localhost/data/%ff")]
    [InlineData("http://localhost/data/a%00b")]
    public async Task A_path_that_names_no_possible_key_is_a_400_problem(string target)
    {
        foreach (var method in new[] { "GET", "DELETE" })
        {
            var response = await SendRawAsync($"{method} {target} HTTP/1.1", ["Host: localhost"], []);

            Assert.NotNull(response);
            Assert.Equal(400, response.Status);
            Assert.Equal("application/problem+json", response.MediaType);
        }
        AssertNothingLoggedAsError();
    }

    /// <summary>Python's urllib and <c>curl -H 'Expect:'</c> send the whole body before they read any answer.</summary>
    [Theory]
    [InlineData("/data", 413)]
    [InlineData("/data/refused", 405)]
    public async Task A_refused_body_sent_without_Expect_is_drained_so_the_client_reads_the_answer(string path, int status)
    {
        const int BodyBytes = 8 * 1024 * 1024;
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {BodyBytes}\r\n\r\n"));

        // Everything is sent before anything is read, through a small send buffer so that the body cannot all sit in
        // the kernel's buffers: a server that closes with the body unread resets one of these sends.
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        for (var sent = 0; sent < BodyBytes; sent += chunk.Length)
        {
            try
            {
                await socket.SendAsync(chunk);
            }
            catch (SocketException exception)
            {
                Assert.Fail($"The server reset the connection after {sent} of {BodyBytes} body bytes: {exception.SocketErrorCode}");
            }
        }
        var response = RawHttpResponse.Parse(await ReceiveResponseAsync(socket, TimeSpan.FromSeconds(10)));

        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        AssertNothingLoggedAsError();
    }

    [Fact]
    public async Task A_chunked_body_past_the_limit_is_drained_too()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /data HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        var framing = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        for (var sent = 0; sent < 3 * 1024 * 1024; sent += chunk.Length)
        {
            await socket.SendAsync(framing);
            await socket.SendAsync(chunk);
            await socket.SendAsync("\r\n"u8.ToArray());
        }
        await socket.SendAsync("0\r\n\r\n"u8.ToArray());

        var response = RawHttpResponse.Parse(await ReceiveResponseAsync(socket, TimeSpan.FromSeconds(10)));

        Assert.Equal(413, response?.Status);
        AssertNothingLoggedAsError();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/data")]
    [InlineData("/data/head-item")]
    [InlineData("/data/head-missing")]
    [InlineData("/metrics")]
    public async Task HEAD_answers_wherever_GET_does_with_the_same_status_and_headers_and_no_body(string path)
    {
        await _process.Client.PostAsJsonAsync("/data", new { key = "head-item", value = new { text = "hello" } });

        var get = await SendRawAsync($"GET {path} HTTP/1.1", ["Host: localhost"], []);
        var head = await SendRawAsync($"HEAD {path} HTTP/1.1", ["Host: localhost"], []);

        Assert.NotNull(get);
        Assert.NotNull(head);
        Assert.Equal(get.Status, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(get.Headers.GetValueOrDefault("Content-Type"), head.Headers.GetValueOrDefault("Content-Type"));
        foreach (var name in new[] { "X-Content-Type-Options", "Cache-Control", "Content-Security-Policy" })
        {
            Assert.Equal(get.Headers.GetValueOrDefault(name), head.Headers.GetValueOrDefault(name));
        }
        // The length a GET would send, where the GET states one.
        if (get.Headers.TryGetValue("Content-Length", out var length))
        {
            Assert.Equal(length, head.Headers.GetValueOrDefault("Content-Length"));
        }
        AssertNothingLoggedAsError();
    }

    private async Task<string?> ValueAtAsync(string requestLine)
    {
        var response = await SendRawAsync(requestLine, ["Host: localhost"], []);
        Assert.NotNull(response);
        Assert.True(response.Status == 200, $"{requestLine}: {response.Status} {Encoding.UTF8.GetString(response.Body)}");
        return JsonSerializer.Deserialize<JsonElement>(response.Body).GetProperty("value").GetString();
    }

    private Task<RawHttpResponse?> SendRawAsync(string requestLine, string[] headers, byte[] body) =>
        RawHttpExchange.SendAsync(_port, RawHttpExchange.Compose(requestLine, headers, body), TimeSpan.FromSeconds(10));

    private async Task<Dictionary<string, double>> StatusCountsAsync()
    {
        var scrape = await PrometheusText.ScrapeAsync(_process.Client);
        return scrape.Samples
            .Where(sample => sample.Name == "http_requests_total" && sample.Labels.GetValueOrDefault("endpoint") == "/data")
            .GroupBy(sample => sample.Labels["status_code"])
            .ToDictionary(group => group.Key, group => group.Sum(sample => sample.Value));
    }

    private void AssertNothingLoggedAsError()
    {
        var output = _process.StandardOutput[_loggedBefore..] + _process.StandardError;
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 64 * 1024 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port));
        return socket;
    }

    /// <summary>One response on a kept-alive connection: the head, then the body its framing announces.</summary>
    private static async Task<byte[]> ReceiveResponseAsync(Socket socket, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (!IsComplete(received.GetBuffer().AsSpan(0, (int)received.Length)))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token);
            if (read == 0)
            {
                break;
            }
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }

    private static bool IsComplete(ReadOnlySpan<byte> received)
    {
        var headEnd = received.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return false;
        }
        var head = Encoding.Latin1.GetString(received[..headEnd]);
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return received.EndsWith("\r\n0\r\n\r\n"u8);
        }
        var lengthLine = head.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return lengthLine is null || received.Length - headEnd - 4 >= int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<byte[]> ReceiveUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
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
        }
        return received.ToArray();
    }
}

public sealed class JitHostileRequestTests(HostileRequestTests.RunningJitDataApi dataApi)
    : HostileRequestTests(dataApi), IClassFixture<HostileRequestTests.RunningJitDataApi>;

/// <summary>The native executable: the container image's build.</summary>
public sealed class AotHostileRequestTests(HostileRequestTests.RunningAotDataApi dataApi)
    : HostileRequestTests(dataApi), IClassFixture<HostileRequestTests.RunningAotDataApi>;
