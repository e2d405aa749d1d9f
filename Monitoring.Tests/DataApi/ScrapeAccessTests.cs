using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>METRICS_ALLOWED_NETWORKS, checked from a real loopback connection.</summary>
public sealed class ScrapeAccessTests
{
    [Theory]
    [InlineData("10.0.0.0/8", HttpStatusCode.Forbidden)]
    [InlineData("10.0.0.0/8, 192.168.0.0/16, fd00::/8", HttpStatusCode.Forbidden)]
    [InlineData("10.0.0.0/8,127.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("127.0.0.1/32", HttpStatusCode.OK)]
    [InlineData("", HttpStatusCode.OK)]
    public async Task Only_allowed_networks_may_scrape_and_the_api_stays_open_to_all(string allowed, HttpStatusCode expected)
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        environment["METRICS_ALLOWED_NETWORKS"] = allowed;
        await using var process = await DataApiProcess.StartReadyAsync(environment);

        var scrape = await process.Client.GetAsync("/metrics");

        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Contains("http_requests_total", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        else
        {
            await scrape.AssertProblemAsync(expected);
        }
        Assert.Equal(HttpStatusCode.OK, (await process.Client.GetAsync("/data")).StatusCode);
    }

    /// <summary>With metrics off there is no /metrics to guard: the allow-list is not read, so a bad one stops nothing.</summary>
    [Fact]
    public async Task With_metrics_off_the_allow_list_is_not_read()
    {
        using var factory = new DataApiFactory().With("METRICS_ENABLED", "false").With("METRICS_ALLOWED_NETWORKS", "not-a-network");
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
    }
}
