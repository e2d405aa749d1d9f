using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class OpenApiTests : IDisposable
{
    private readonly DataApiFactory _factory = new DataApiFactory().With("APP_VERSION", "3.2.1");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_document_describes_every_data_operation_with_its_problems_and_an_example()
    {
        var document = await _factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        Assert.Equal("3.2.1", document.GetProperty("info").GetProperty("version").GetString());
        var paths = document.GetProperty("paths");
        var expected = new (string Path, string Method, string[] Responses)[]
        {
            ("/data", "post", ["200", "201", "400", "413", "415", "503"]),
            ("/data", "get", ["200", "400"]),
            ("/data/{key}", "get", ["200", "400", "404"]),
            ("/data/{key}", "delete", ["204", "400", "404", "503"]),
        };
        foreach (var (path, method, responses) in expected)
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            var documented = operation.GetProperty("responses").EnumerateObject().Select(response => response.Name).Order().ToArray();
            Assert.Equal(responses, documented);
            foreach (var problem in responses.Where(code => code[0] == '4'))
            {
                Assert.True(
                    operation.GetProperty("responses").GetProperty(problem).GetProperty("content").TryGetProperty("application/problem+json", out _),
                    $"{method} {path} {problem} is not documented as a problem");
            }
        }

        var keyParameter = Assert.Single(paths.GetProperty("/data/{key}").GetProperty("get").GetProperty("parameters").EnumerateArray());
        Assert.Equal("path", keyParameter.GetProperty("in").GetString());
        var body = paths.GetProperty("/data").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("greeting", body.GetProperty("example").GetProperty("key").GetString());
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("DataItemRequest");
        Assert.Equal(["key", "value"], schema.GetProperty("required").EnumerateArray().Select(name => name.GetString()!).Order().ToArray());
    }

    [Fact]
    public async Task The_example_in_the_document_is_accepted_by_the_api()
    {
        var client = _factory.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var example = document.GetProperty("paths").GetProperty("/data").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        var response = await client.PostAsJsonAsync("/data", example);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task The_api_reference_page_is_served_in_Development()
    {
        // The address the README gives; it leads to the page of the v1 document.
        var response = await _factory.CreateClient().GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_api_reference_page_is_not_served_in_Production()
    {
        using var production = new DataApiFactory().WithEnvironment("Production");

        var response = await production.CreateClient().GetAsync("/scalar/v1");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
