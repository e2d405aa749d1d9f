using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.DataApi.Data;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class ServiceEndpointsTests
{
    [Fact]
    public async Task Root_names_the_service_and_links_the_endpoints()
    {
        using var factory = new DataApiFactory().With("APP_NAME", "orders-api").With("APP_VERSION", "2.3.4");

        var root = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/");

        Assert.Equal("orders-api", root.GetProperty("name").GetString());
        Assert.Equal("2.3.4", root.GetProperty("version").GetString());
        Assert.Equal("Development", root.GetProperty("environment").GetString());
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
        var links = root.GetProperty("links");
        foreach (var (name, path) in new[] { ("health", "/health"), ("ready", "/health/ready"), ("live", "/health/live"), ("metrics", "/metrics"), ("data", "/data"), ("openapi", "/openapi/v1.json") })
        {
            Assert.Equal(path, links.GetProperty(name).GetString());
        }
    }

    [Fact]
    public async Task Root_uses_the_Python_service_defaults()
    {
        using var factory = new DataApiFactory();

        var root = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/");

        Assert.Equal("monitoring-data-api", root.GetProperty("name").GetString());
        Assert.Equal("1.0.0", root.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Health_reports_every_check_and_the_process()
    {
        using var factory = new DataApiFactory().With("APP_VERSION", "9.9.9");

        var response = await factory.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        foreach (var check in new[] { "self", "data-store" })
        {
            var entry = health.GetProperty("checks").GetProperty(check);
            Assert.Equal("Healthy", entry.GetProperty("status").GetString());
            Assert.True(entry.GetProperty("durationMs").GetDouble() >= 0);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("description").GetString()));
        }
        var system = health.GetProperty("system");
        Assert.Equal("9.9.9", system.GetProperty("version").GetString());
        Assert.True(system.GetProperty("cpuSeconds").GetDouble() > 0);
        Assert.True(system.GetProperty("residentMemoryBytes").GetInt64() > 0);
        Assert.True(system.GetProperty("threads").GetInt32() > 0);
        Assert.True(system.GetProperty("openFileDescriptors").GetInt64() > 0);
        Assert.True(system.GetProperty("uptimeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Ready_and_live_answer_200_when_the_store_is_writable()
    {
        using var factory = new DataApiFactory();
        var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
