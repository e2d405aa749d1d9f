using System.Net.Http.Headers;
using System.Text.Json;
using Monitoring.DataApi.Security;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class ApiKeyTests : IDisposable
{
    private const string Key = "k3y-for-tests-0123456789abcdef";

    private readonly DataApiFactory _factory = new DataApiFactory().WithEnvironment("Production").With("API_KEY", Key);

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key-0123456789abcdef")]
    [InlineData(Key + "x")]
    [InlineData("k3y-for-tests-0123456789abcdeF")]
    public async Task Writes_without_the_right_key_get_a_401_problem_and_change_nothing(string? supplied)
    {
        var client = _factory.CreateClient();
        using var post = Request(HttpMethod.Post, "/data", supplied, JsonContent.Create(new { key = "guarded", value = 1 }));
        using var delete = Request(HttpMethod.Delete, "/data/existing", supplied);
        await Authorized(client, HttpMethod.Post, "/data", JsonContent.Create(new { key = "existing", value = 0 }));

        foreach (var response in new[] { await client.SendAsync(post), await client.SendAsync(delete) })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains(ApiKeySchemeOptions.HeaderName, problem.Detail(), StringComparison.Ordinal);
            Assert.Equal("ApiKey", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            Assert.DoesNotContain(Key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/guarded")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/existing")).StatusCode);
    }

    [Fact]
    public async Task The_right_key_writes_and_deletes_and_reads_need_no_key()
    {
        var client = _factory.CreateClient();

        var created = await Authorized(client, HttpMethod.Post, "/data", JsonContent.Create(new { key = "open", value = 7 }));
        var read = await client.GetFromJsonAsync<JsonElement>("/data/open");
        var list = await client.GetAsync("/data");
        var deleted = await Authorized(client, HttpMethod.Delete, "/data/open");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(7, read.GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Two_key_headers_are_refused_even_when_one_is_right()
    {
        var client = _factory.CreateClient();
        using var request = Request(HttpMethod.Post, "/data", Key, JsonContent.Create(new { key = "twice", value = 1 }));
        request.Headers.Add(ApiKeySchemeOptions.HeaderName, "another-value-0123456789");

        await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refused_writes_are_counted_with_their_route_and_401()
    {
        var client = _factory.CreateClient();
        await client.PostAsJsonAsync("/data", new { key = "k", value = 1 });

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "POST"), ("endpoint", "/data"), ("status_code", "401")));
    }

    [Fact]
    public void The_comparison_matches_only_the_exact_key()
    {
        var options = new ApiKeySchemeOptions();
        Assert.False(options.Matches(Key));

        options.UseKey(Key);

        Assert.True(options.Matches(Key));
        Assert.False(options.Matches(Key[..^1]));
        Assert.False(options.Matches(Key.ToUpperInvariant()));
        Assert.False(options.Matches(string.Empty));
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeySchemeOptions.HeaderName, key);
        }
        return request;
    }

    private static async Task<HttpResponseMessage> Authorized(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = Request(method, path, Key, content);
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} with the key: {(int)response.StatusCode}");
        return response;
    }
}
