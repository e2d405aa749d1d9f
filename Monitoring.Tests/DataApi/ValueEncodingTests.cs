using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Monitoring.DataApi;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// A value is kept, measured and given back as the client's minified UTF-8: non-ASCII text is not turned into
/// <c>\uXXXX</c> escapes (an emoji would take 12 bytes instead of 4, and a value of 22 KB of emoji would pass the 64 KiB
/// limit), while control characters stay escaped so that every response is valid JSON. Escapes a client sent for
/// ASCII characters may be rewritten and are not checked; nor is how the item's key is escaped.
/// </summary>
public sealed class ValueEncodingTests : IDisposable
{
    /// <summary>U+1F600, four bytes in UTF-8 (F0 9F 98 80), two UTF-16 units, twelve bytes as a \uD83D\uDE00 escape.</summary>
    private const string Emoji = "😀";

    private static ReadOnlySpan<byte> EmojiUtf8 => [0xF0, 0x9F, 0x98, 0x80];

    private readonly DataApiFactory _factory = new();
    private readonly HttpClient _client;

    public ValueEncodingTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_value_of_16000_emoji_is_accepted_and_read_back_as_the_UTF_8_that_was_sent()
    {
        var value = string.Concat(Enumerable.Repeat(Emoji, 16_000));
        var valueJson = Json(value);
        Assert.Equal(64_002, valueJson.Length);

        var response = await PostAsync("emoji", valueJson);
        Assert.True(response.StatusCode == HttpStatusCode.Created,
            $"a value of {valueJson.Length} bytes of UTF-8 was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

        var body = await _client.GetByteArrayAsync("/data/emoji");
        using (var item = JsonDocument.Parse(body))
        {
            Assert.Equal(value, item.RootElement.GetProperty("value").GetString());
            AssertSameBytes(valueJson, JsonMarshal.GetRawUtf8Value(item.RootElement.GetProperty("value")), "GET /data/emoji");
        }
        Assert.True(body.AsSpan().IndexOf(EmojiUtf8) >= 0, "GET /data/emoji holds no F0 9F 98 80");
        Assert.DoesNotContain("\\ud83d", Encoding.UTF8.GetString(body), StringComparison.OrdinalIgnoreCase);

        AssertSameBytes(valueJson, await ListedValueAsync("emoji"), "the page of GET /data");
    }

    [Fact]
    public async Task A_value_of_exactly_64_KiB_of_UTF_8_with_emoji_is_accepted()
    {
        // 16,383 emoji (65,532 bytes), two ASCII letters and the quotes: 65,536 bytes.
        var value = string.Concat(Enumerable.Repeat(Emoji, 16_383)) + "xx";
        var valueJson = Json(value);
        Assert.Equal(DataApiLimits.MaxValueBytes, valueJson.Length);

        var response = await PostAsync("largest", valueJson);

        Assert.True(response.StatusCode == HttpStatusCode.Created,
            $"a value of exactly {valueJson.Length} bytes of UTF-8 was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var item = await _client.GetFromJsonAsync<JsonElement>("/data/largest");
        Assert.Equal(value, item.GetProperty("value").GetString());
    }

    /// <summary>The limit is in bytes of UTF-8, not in characters: this value is 32,769 UTF-16 units long.</summary>
    [Fact]
    public async Task A_value_of_64_KiB_and_one_byte_of_UTF_8_with_emoji_is_refused()
    {
        var value = string.Concat(Enumerable.Repeat(Emoji, 16_383)) + "xxx";
        var valueJson = Json(value);
        Assert.Equal(DataApiLimits.MaxValueBytes + 1, valueJson.Length);

        var problem = await (await PostAsync("too-large", valueJson)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("64 KiB", problem.Detail());
        await (await _client.GetAsync("/data/too-large")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>Each value is written minified and holds no escape: what comes back is these very bytes.</summary>
    [Theory]
    [InlineData("\"é\"")]
    [InlineData("\"日本\"")]
    [InlineData("\"😀\"")]
    [InlineData("[\"😀\",\"é\",{\"日本\":\"語\"},1,2.5,-3,true,false,null]")]
    [InlineData("{\"text\":\"café, 日本, 😀 and 👍🏽\",\"ключ\":{\"значение\":[\"ok\"]},\"n\":42}")]
    public async Task Non_ASCII_text_in_a_value_is_read_back_as_the_UTF_8_that_was_sent(string minified)
    {
        var valueJson = Encoding.UTF8.GetBytes(minified);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("text", valueJson)).StatusCode);

        var body = await _client.GetByteArrayAsync("/data/text");
        using (var item = JsonDocument.Parse(body))
        {
            AssertSameBytes(valueJson, JsonMarshal.GetRawUtf8Value(item.RootElement.GetProperty("value")), "GET /data/text");
        }
        AssertSameBytes(valueJson, await ListedValueAsync("text"), "the page of GET /data");
    }

    /// <summary>A control character cannot stand raw in a JSON string: it comes back escaped, as the same text.</summary>
    [Theory]
    [InlineData("\"a\\nb\"", "a\nb")]
    [InlineData("\"tab\\there\\r\\u0001\\u001f\\b\\f\"", "tab\there\r\u0001\u001f\b\f")]
    [InlineData("\"é\\n😀\"", "é\n😀")]
    public async Task Control_characters_in_a_value_stay_escaped(string valueJson, string text)
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("control", Encoding.UTF8.GetBytes(valueJson))).StatusCode);

        var body = await _client.GetByteArrayAsync("/data/control");
        using (var item = JsonDocument.Parse(body))
        {
            var value = item.RootElement.GetProperty("value");
            Assert.Equal(text, value.GetString());
            Assert.DoesNotContain(JsonMarshal.GetRawUtf8Value(value).ToArray(), b => b < 0x20);
        }
        using var page = JsonDocument.Parse(await _client.GetByteArrayAsync("/data"));
        var listed = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray()).GetProperty("value");
        Assert.Equal(text, listed.GetString());
        Assert.DoesNotContain(JsonMarshal.GetRawUtf8Value(listed).ToArray(), b => b < 0x20);
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes("\"" + text + "\"");

    /// <summary>POST /data with the body {"key":<paramref name="key"/>,"value":<paramref name="valueJson"/>}, byte for byte.</summary>
    private Task<HttpResponseMessage> PostAsync(string key, byte[] valueJson)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\",\"value\":"), .. valueJson, (byte)'}'];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _client.PostAsync("/data", content);
    }

    /// <summary>The raw bytes of the value of <paramref name="key"/> in the first page of GET /data.</summary>
    private async Task<byte[]> ListedValueAsync(string key)
    {
        using var page = JsonDocument.Parse(await _client.GetByteArrayAsync("/data?limit=1000"));
        var item = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray(), item => item.GetProperty("key").GetString() == key);
        return JsonMarshal.GetRawUtf8Value(item.GetProperty("value")).ToArray();
    }

    /// <summary>Equal bytes, or a failure that shows where they part (a 64 KB array in full would say nothing).</summary>
    private static void AssertSameBytes(byte[] expected, ReadOnlySpan<byte> actual, string where)
    {
        if (actual.SequenceEqual(expected))
        {
            return;
        }
        var at = actual.CommonPrefixLength(expected);
        Assert.Fail($"{where}: the value is {actual.Length} bytes, {expected.Length} were sent; they differ from byte {at}: "
            + $"sent '{Excerpt(expected, at)}', read '{Excerpt(actual, at)}'");
    }

    private static string Excerpt(ReadOnlySpan<byte> bytes, int at) =>
        Encoding.UTF8.GetString(bytes.Slice(at, Math.Min(24, bytes.Length - at)));
}
