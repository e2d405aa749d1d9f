using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Monitoring.DataApi;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class DataEndpointsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly DataApiFactory _factory;
    private readonly HttpClient _client;

    public DataEndpointsTests()
    {
        _factory = new DataApiFactory().WithServices(services => services.AddSingleton<TimeProvider>(_time));
        _client = _factory.CreateClient();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Post_creates_an_item_with_201_and_its_location()
    {
        var response = await _client.PostAsJsonAsync("/data", new { key = "greeting", value = new { text = "hello", n = 1 } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/data/greeting", response.Headers.Location?.OriginalString);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("greeting", item.GetProperty("key").GetString());
        Assert.Equal("hello", item.GetProperty("value").GetProperty("text").GetString());
        Assert.Equal(_time.GetUtcNow(), item.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(_time.GetUtcNow(), item.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Post_of_an_existing_key_replaces_it_with_200_and_keeps_its_creation_time()
    {
        var created = _time.GetUtcNow();
        await _client.PostAsJsonAsync("/data", new { key = "k", value = 1 });
        _time.Advance(TimeSpan.FromMinutes(5));

        var response = await _client.PostAsJsonAsync("/data", new { key = "k", value = new[] { 2, 3 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("[2,3]", item.GetProperty("value").GetRawText());
        Assert.Equal(created, item.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(_time.GetUtcNow(), item.GetProperty("updatedAt").GetDateTimeOffset());
        var read = await _client.GetFromJsonAsync<JsonElement>("/data/k");
        Assert.Equal("[2,3]", read.GetProperty("value").GetRawText());
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("42.5")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1,{\"a\":[]}]")]
    [InlineData("{\"nested\":{\"deep\":[null,false]}}")]
    public async Task Any_json_value_round_trips(string valueJson)
    {
        var response = await PostRawAsync($$"""{"key":"v","value":{{valueJson}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var item = await _client.GetFromJsonAsync<JsonElement>("/data/v");
        Assert.Equal(valueJson, item.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task Get_answers_404_problem_for_an_unknown_key()
    {
        var response = await _client.GetAsync("/data/missing");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_answers_204_then_404()
    {
        await _client.PostAsJsonAsync("/data", new { key = "gone", value = 1 });

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/data/gone")).StatusCode);
        await (await _client.DeleteAsync("/data/gone")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync("/data/gone")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Keys_with_slashes_and_unicode_are_addressable()
    {
        var key = "tenant/α β?#";
        var created = await _client.PostAsJsonAsync("/data", new { key, value = "x" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var item = await _client.GetFromJsonAsync<JsonElement>(created.Headers.Location!);
        Assert.Equal(key, item.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync(created.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task A_key_with_path_segments_round_trips()
    {
        var created = await _client.PostAsJsonAsync("/data", new { key = "a/b/../c", value = 1 });

        var item = await _client.GetFromJsonAsync<JsonElement>(created.Headers.Location!);
        Assert.Equal("a/b/../c", item.GetProperty("key").GetString());
    }

    [Fact]
    public async Task List_pages_in_key_order_with_a_cursor()
    {
        foreach (var key in new[] { "c", "a", "e", "b", "d" })
        {
            await _client.PostAsJsonAsync("/data", new { key, value = key });
        }

        var first = await _client.GetFromJsonAsync<JsonElement>("/data?limit=2");
        Assert.Equal(["a", "b"], Keys(first));
        Assert.Equal("b", first.GetProperty("nextCursor").GetString());

        var second = await _client.GetFromJsonAsync<JsonElement>("/data?limit=2&after=b");
        Assert.Equal(["c", "d"], Keys(second));

        var last = await _client.GetFromJsonAsync<JsonElement>("/data?limit=2&after=d");
        Assert.Equal(["e"], Keys(last));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("nextCursor").ValueKind);

        var all = await _client.GetFromJsonAsync<JsonElement>("/data");
        Assert.Equal(["a", "b", "c", "d", "e"], Keys(all));
    }

    [Fact]
    public async Task List_defaults_to_100_items_per_page()
    {
        for (var i = 0; i < 101; i++)
        {
            await _client.PostAsJsonAsync("/data", new { key = $"k{i:D3}", value = i });
        }

        var page = await _client.GetFromJsonAsync<JsonElement>("/data");
        Assert.Equal(100, page.GetProperty("items").GetArrayLength());
        Assert.Equal("k099", page.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task List_ends_a_page_early_before_its_values_pass_the_byte_budget()
    {
        // 60 KB values: 17 of them fit in 1 MiB, so a page of limit 1000 over 40 of them ends early, twice.
        const int Count = 40;
        var value = new string('v', 60 * 1000);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key = $"k{i:D2}", value })).StatusCode);
        }
        var storedBytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(value));

        var keys = new List<string>();
        var pageSizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = await _client.GetFromJsonAsync<JsonElement>("/data?limit=1000" + (cursor is null ? "" : "&after=" + cursor));
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.NotEmpty(items);
            Assert.All(items, item => Assert.Equal(value, item.GetProperty("value").GetString()));
            keys.AddRange(items.Select(item => item.GetProperty("key").GetString()!));
            pageSizes.Add(items.Count);
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is not null)
            {
                Assert.Equal(keys[^1], cursor);
                // Ended because the next item would have taken the page past the budget, not before.
                Assert.True(items.Count * storedBytes <= DataApiLimits.PageValueBudgetBytes);
                Assert.True((items.Count + 1) * storedBytes > DataApiLimits.PageValueBudgetBytes);
            }
        }
        while (cursor is not null);

        Assert.Equal([17, 17, 6], pageSizes);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"k{i:D2}"), keys);
    }

    /// <summary>The budget is "at most 1 MiB": values that add up to exactly that still share one page.</summary>
    [Fact]
    public async Task List_fills_a_page_to_exactly_its_byte_budget()
    {
        // Stored as a JSON string with its quotes: exactly the 64 KiB a value may take, 16 of which make 1 MiB.
        var value = new string('x', DataApiLimits.MaxValueBytes - 2);
        var perPage = DataApiLimits.PageValueBudgetBytes / DataApiLimits.MaxValueBytes;
        Assert.Equal(16, perPage);
        for (var index = 0; index <= perPage; index++)
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key = $"k{index:D2}", value })).StatusCode);
        }

        var page = await _client.GetFromJsonAsync<JsonElement>("/data?limit=1000");

        Assert.Equal(perPage, Keys(page).Length);
        Assert.Equal($"k{perPage - 1:D2}", page.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task List_writes_each_item_as_a_read_of_it_does()
    {
        _time.Advance(TimeSpan.FromTicks(1_234_567));
        await _client.PostAsJsonAsync("/data", new { key = "n", value = new { text = "plain", list = new object?[] { 1, 2.5, true, null } } });
        _time.Advance(TimeSpan.FromMilliseconds(250));
        await _client.PostAsJsonAsync("/data", new { key = "n", value = new { text = "<é & 中文 😀>", nested = new { a = new[] { "\"", "\\" } } } });

        var read = await _client.GetFromJsonAsync<JsonElement>("/data/n");
        var listed = Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/data")).GetProperty("items").EnumerateArray());

        Assert.Equal(["key", "value", "createdAt", "updatedAt"], listed.EnumerateObject().Select(property => property.Name));
        Assert.Equal(read.GetProperty("key").GetRawText(), listed.GetProperty("key").GetRawText());
        Assert.True(JsonElement.DeepEquals(read.GetProperty("value"), listed.GetProperty("value")));
        Assert.Equal(read.GetProperty("createdAt").GetRawText(), listed.GetProperty("createdAt").GetRawText());
        Assert.Equal(read.GetProperty("updatedAt").GetRawText(), listed.GetProperty("updatedAt").GetRawText());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=abc")]
    [InlineData("limit=-1")]
    [InlineData("limit=")]
    public async Task List_rejects_a_bad_limit(string query)
    {
        var problem = await (await _client.GetAsync($"/data?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("limit", problem.Detail());
    }

    [Fact]
    public async Task List_accepts_the_smallest_limit()
    {
        foreach (var key in new[] { "a", "b" })
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key, value = 1 })).StatusCode);
        }

        var page = await _client.GetFromJsonAsync<JsonElement>("/data?limit=1");

        Assert.Equal(["a"], Keys(page));
        Assert.Equal("a", page.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task List_accepts_the_largest_limit()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/data?limit=1000")).StatusCode);
    }

    [Theory]
    [InlineData("""{"key":"","value":1}""", "non-empty")]
    [InlineData("""{"key":"a\u0001b","value":1}""", "control")]
    [InlineData("""{"key":"a\nb","value":1}""", "control")]
    [InlineData("""{"key":".","value":1}""", "'.' or '..'")]
    [InlineData("""{"key":"..","value":1}""", "'.' or '..'")]
    [InlineData("""{"key":"a\ud800b","value":1}""", "surrogate")]
    [InlineData("""{"key":"a","value":"x\ud800"}""", "surrogate")]
    [InlineData("""{"key":"a","value":{"\udc00":1}}""", "surrogate")]
    [InlineData("""{"\ud800":1,"key":"a","value":1}""", "surrogate")]
    [InlineData("""{"key":5,"value":1}""", "must be a string")]
    [InlineData("""{"key":null,"value":1}""", "must be a string")]
    [InlineData("""{"value":1}""", "'key' is required")]
    [InlineData("""{"key":"a"}""", "'value' is required")]
    [InlineData("""{"key":"a","value":1,"extra":true}""", "Unknown property 'extra'")]
    [InlineData("""{"key":"a","key":"b","value":1}""", "not valid JSON")]
    [InlineData("""[{"key":"a","value":1}]""", "JSON object")]
    [InlineData("""42""", "JSON object")]
    [InlineData("""{"key":"a","value":1""", "not valid JSON")]
    [InlineData("""{"key":"a",value:1}""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public async Task Post_rejects_invalid_bodies_with_400(string body, string expected)
    {
        var problem = await (await PostRawAsync(body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.Detail());
    }

    [Fact]
    public async Task Post_accepts_a_key_of_256_characters_and_rejects_257()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key = new string('k', 256), value = 1 })).StatusCode);

        var problem = await (await _client.PostAsJsonAsync("/data", new { key = new string('k', 257), value = 1 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("256", problem.Detail());
    }

    [Fact]
    public async Task Post_accepts_a_value_of_64_KiB_and_rejects_one_byte_more()
    {
        // A JSON string of n characters serializes to n + 2 bytes (its quotes).
        var largest = new string('x', 64 * 1024 - 2);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key = "big", value = largest })).StatusCode);

        var problem = await (await _client.PostAsJsonAsync("/data", new { key = "big", value = largest + "x" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("64 KiB", problem.Detail());
    }

    [Fact]
    public async Task Post_rejects_invalid_utf8_with_400()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"key":"a","value":"xx"}""");
        bytes[20] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var problem = await (await _client.PostAsync("/data", content)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("UTF-8", problem.Detail());
    }

    [Fact]
    public async Task Post_rejects_nesting_deeper_than_64_levels_with_400()
    {
        var deep = new string('[', 100) + new string(']', 100);
        await (await PostRawAsync($$"""{"key":"a","value":{{deep}}}""")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Every_value_accepted_at_the_deepest_nesting_can_be_read_and_listed()
    {
        var deepestAccepted = 0;
        for (var depth = 55; depth <= 70; depth++)
        {
            var nested = new string('[', depth) + new string(']', depth);
            var response = await PostRawAsync($$"""{"key":"deep-{{depth}}","value":{{nested}}}""");
            if (!response.IsSuccessStatusCode)
            {
                await response.AssertProblemAsync(HttpStatusCode.BadRequest);
                continue;
            }
            deepestAccepted = depth;
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/data/deep-{depth}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/data")).StatusCode);
        }
        // The body nests at most 62 levels (docs/api.md): its root object is one, so a value 61 deep is the deepest.
        Assert.Equal(61, deepestAccepted);
    }

    [Fact]
    public async Task Post_rejects_a_body_over_1_MiB_with_413()
    {
        var body = $$"""{"key":"a","value":"{{new string('x', 1024 * 1024)}}"}""";
        await (await PostRawAsync(body)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>1 MiB is the largest body read, inclusive: one of exactly that size is judged on its content.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_reads_a_body_of_exactly_1_MiB_whether_its_length_is_given_or_not(bool chunked)
    {
        const string Start = "{\"key\":\"a\",\"value\":\"";
        const string End = "\"}";
        var body = Encoding.UTF8.GetBytes(Start + new string('x', DataApiLimits.MaxBodyBytes - Start.Length - End.Length) + End);
        Assert.Equal(DataApiLimits.MaxBodyBytes, body.Length);
        HttpContent content = chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/data") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        // Read whole, then refused for what it says: its value is past the 64 KiB limit.
        var problem = await (await _client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("64 KiB", problem.Detail());
    }

    [Fact]
    public async Task Post_rejects_a_chunked_body_over_1_MiB_with_413()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"key":"a","value":"{{new string('x', 1024 * 1024)}}"}""");
        var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/data") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await (await _client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    [InlineData(null)]
    public async Task Post_rejects_other_content_types_with_415(string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"key":"a","value":1}"""));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        await (await _client.PostAsync("/data", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task Post_accepts_json_media_types(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"key":"a","value":1}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/data", content)).StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/data")]
    [InlineData("PATCH", "/data/k")]
    [InlineData("POST", "/data/k")]
    [InlineData("DELETE", "/data")]
    [InlineData("POST", "/health")]
    public async Task Unsupported_methods_answer_405_problem(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Unknown_paths_answer_404_problem()
    {
        await (await _client.GetAsync("/no/such/path")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    public async Task Errors_are_problem_json_whatever_the_client_accepts(string accept)
    {
        foreach (var (method, path) in new[] { ("GET", "/no/such/path"), ("PATCH", "/data/k"), ("GET", "/data/missing"), ("GET", "/data?limit=0") })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.Accept.ParseAdd(accept);
            var response = await _client.SendAsync(request);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path}: {response.StatusCode}");
            await response.AssertProblemAsync(response.StatusCode);
        }
    }

    private Task<HttpResponseMessage> PostRawAsync(string body) =>
        _client.PostAsync("/data", new StringContent(body, Encoding.UTF8, "application/json"));

    private static string[] Keys(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("key").GetString()!).ToArray();
}
