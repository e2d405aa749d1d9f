using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// <c>GET /data/{key}</c> is one item of at most 64 KiB of value: it is sent with a Content-Length, not chunked, and
/// <c>HEAD</c> answers the same Content-Length with no body. Read off the wire from a real DataApi process, since an
/// HTTP client hides the framing.
/// </summary>
public sealed class ItemContentLengthTests(ItemContentLengthTests.RunningDataApi dataApi) : IClassFixture<ItemContentLengthTests.RunningDataApi>
{
    private readonly DataApiProcess _process = dataApi.Process;
    private readonly int _port = dataApi.Port;

    /// <summary>One process for the whole class: each test writes a key of its own.</summary>
    public sealed class RunningDataApi : IAsyncLifetime
    {
        public TemporaryDirectory Directory { get; } = new();

        public DataApiProcess Process { get; private set; } = null!;

        public int Port { get; private set; }

        public async Task InitializeAsync()
        {
            var environment = DataApiProcess.OnLoopback(Path.Combine(Directory.Path, "data.db"));
            Port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
            Process = await DataApiProcess.StartReadyAsync(environment);
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            Directory.Dispose();
        }
    }

    /// <summary>Content-Length counts bytes: the non-ASCII value has fewer characters than bytes.</summary>
    [Theory]
    [InlineData("small", "v", 1)]
    [InlineData("non-ascii", "é日😀", 100)]
    [InlineData("large", "x", 60_000)]
    public async Task Get_of_an_item_carries_a_Content_Length_equal_to_its_body(string key, string text, int repeat)
    {
        var value = string.Concat(Enumerable.Repeat(text, repeat));
        await CreateAsync(key, value);

        var (head, body) = await ExchangeAsync("GET", key);

        Assert.Equal(200, head.Status);
        Assert.False(head.Headers.ContainsKey("Transfer-Encoding"), $"GET /data/{key} was sent with Transfer-Encoding: {Header(head, "Transfer-Encoding")}");
        Assert.True(head.Headers.ContainsKey("Content-Length"), $"GET /data/{key} has no Content-Length");
        Assert.Equal(body.Length, ContentLength(head));
        using var item = JsonDocument.Parse(body);
        Assert.Equal(value, item.RootElement.GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("head-small", "v", 1)]
    [InlineData("head-non-ascii", "é日😀", 100)]
    [InlineData("head-large", "x", 60_000)]
    public async Task Head_of_an_item_carries_the_Content_Length_of_its_get_and_no_body(string key, string text, int repeat)
    {
        await CreateAsync(key, string.Concat(Enumerable.Repeat(text, repeat)));
        var (getHead, getBody) = await ExchangeAsync("GET", key);
        Assert.Equal(200, getHead.Status);

        var (head, body) = await ExchangeAsync("HEAD", key);

        Assert.Equal(200, head.Status);
        Assert.False(head.Headers.ContainsKey("Transfer-Encoding"), $"HEAD /data/{key} was answered with Transfer-Encoding: {Header(head, "Transfer-Encoding")}");
        Assert.True(head.Headers.ContainsKey("Content-Length"), $"HEAD /data/{key} has no Content-Length");
        Assert.Equal(getBody.Length, ContentLength(head));
        Assert.Empty(body);
    }

    private async Task CreateAsync(string key, string value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { key, value }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.Created, (await _process.Client.PostAsync("/data", content)).StatusCode);
    }

    /// <summary>The response's head, and every byte the server sent after it until it closed the connection.</summary>
    private async Task<(RawHttpResponse Head, byte[] AfterHead)> ExchangeAsync(string method, string key)
    {
        var request = RawHttpExchange.Compose($"{method} /data/{key} HTTP/1.1", ["Host: 127.0.0.1"], []);
        var received = await RawHttpExchange.ExchangeAsync(_port, request, TimeSpan.FromSeconds(30));
        var headEnd = received.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(headEnd >= 0, $"{method} /data/{key}: no complete response head in {received.Length} bytes");
        return (RawHttpResponse.Parse(received)!, received[(headEnd + 4)..]);
    }

    private static int ContentLength(RawHttpResponse head) => int.Parse(head.Headers["Content-Length"], CultureInfo.InvariantCulture);

    private static string Header(RawHttpResponse head, string name) => head.Headers.TryGetValue(name, out var value) ? value : "(none)";
}
