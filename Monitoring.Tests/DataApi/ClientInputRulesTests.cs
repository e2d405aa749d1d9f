using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// How the DataApi reads what a client may send in more than one way: media type parameters, compressed bodies,
/// repeated query parameters, keys counted and shown as a person reads them.
/// </summary>
public sealed class ClientInputRulesTests : IDisposable
{
    private readonly DataApiFactory _factory = new();
    private readonly HttpClient _client;

    public ClientInputRulesTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json;charset=utf-8")]
    public async Task A_quoted_charset_is_the_same_as_an_unquoted_one(string contentType)
    {
        var response = await PostAsync("""{"key":"quoted","value":1}"""u8.ToArray(), contentType);

        Assert.True(response.IsSuccessStatusCode, $"{contentType}: {response.StatusCode}");
    }

    [Fact]
    public async Task A_quoted_charset_other_than_utf_8_is_still_refused()
    {
        await (await PostAsync("""{"key":"k","value":1}"""u8.ToArray(), "application/json; charset=\"latin1\""))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_key_is_measured_in_Unicode_scalar_values()
    {
        // An emoji is one scalar value but two UTF-16 units: 256 of them are 256 characters, 512 units.
        var emoji = string.Concat(Enumerable.Repeat("😀", 256));
        var created = await _client.PostAsJsonAsync("/data", new { key = emoji, value = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = await _client.GetFromJsonAsync<JsonElement>("/data/" + Uri.EscapeDataString(emoji));
        Assert.Equal(emoji, read.GetProperty("key").GetString());

        var problem = await (await _client.PostAsJsonAsync("/data", new { key = emoji + "😀", value = 1 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("256", problem.Detail());
    }

    [Theory]
    [InlineData("a\u202Eb")]
    [InlineData("a\u202Ab")]
    [InlineData("a\u2066b")]
    [InlineData("a\u2069")]
    [InlineData("\u200Fa")]
    [InlineData("a\u200E")]
    [InlineData("a\u061Cb")]
    [InlineData("\uFEFFa")]
    public async Task A_key_may_not_hold_bidirectional_controls_or_a_byte_order_mark(string key)
    {
        var problem = await (await _client.PostAsJsonAsync("/data", new { key, value = 1 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("bidirectional", problem.Detail());

        // Nor can such a key be read or deleted: it names nothing that could have been stored.
        await (await _client.GetAsync("/data/" + Uri.EscapeDataString(key))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await _client.DeleteAsync("/data/" + Uri.EscapeDataString(key))).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Joiners_that_emoji_and_scripts_need_stay_allowed_in_keys()
    {
        foreach (var key in new[] { "👩‍👩‍👧", "क्‍ष", "a\u200Cb" })
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key, value = 1 })).StatusCode);
        }
    }

    [Theory]
    [InlineData("after=a&after=b")]
    [InlineData("limit=1&limit=2")]
    [InlineData("limit=1&after=a&limit=1")]
    [InlineData("other=1&other=2")]
    public async Task A_repeated_query_parameter_is_a_400(string query)
    {
        var problem = await (await _client.GetAsync("/data?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most once", problem.Detail());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public async Task A_compressed_body_is_decoded(string encoding)
    {
        var response = await PostAsync(Compress("""{"key":"compressed","value":{"text":"hello"}}"""u8.ToArray(), encoding), encoding: encoding);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var read = await _client.GetFromJsonAsync<JsonElement>("/data/compressed");
        Assert.Equal("hello", read.GetProperty("value").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("IDENTITY")]
    [InlineData(" identity ")]
    public async Task A_body_marked_identity_is_read_as_it_is(string encoding)
    {
        var response = await PostAsync("""{"key":"identity","value":1}"""u8.ToArray(), encoding: encoding);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("x-custom")]
    [InlineData("gzip, gzip")]
    [InlineData("identity, compress")]
    public async Task A_body_in_another_encoding_is_a_415_and_never_parsed(string encoding)
    {
        var problem = await (await PostAsync("""{"key":"encoded","value":1}"""u8.ToArray(), encoding: encoding))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Encoding", problem.Detail());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/data/encoded")).StatusCode);
    }

    [Fact]
    public async Task A_compressed_body_is_held_to_the_size_limit_once_decompressed()
    {
        // About 2 KiB on the wire, 2 MiB once decompressed.
        var body = Encoding.UTF8.GetBytes($$"""{"key":"bomb","value":"{{new string('x', 2 * 1024 * 1024)}}"}""");
        var compressed = Compress(body, "gzip");
        Assert.True(compressed.Length < 16 * 1024);

        await (await PostAsync(compressed, encoding: "gzip")).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_that_does_not_decompress_is_a_400()
    {
        var problem = await (await PostAsync("""{"key":"a","value":1}"""u8.ToArray(), encoding: "gzip"))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("decompress", problem.Detail());
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, string contentType = "application/json", string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (encoding is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        }
        return _client.PostAsync("/data", content);
    }

    private static byte[] Compress(byte[] body, string encoding)
    {
        using var compressed = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(compressed, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        })
        {
            compressor.Write(body);
        }
        return compressed.ToArray();
    }
}
