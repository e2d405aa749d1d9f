using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task The_fault_header_is_ignored_by_default()
    {
        using var factory = new DataApiFactory();
        var client = factory.CreateClient();

        var response = await client.SendAsync(Faulted("/data", "500"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task When_enabled_the_requested_status_is_answered_and_counted_under_the_route()
    {
        using var factory = new DataApiFactory().With("FAULT_INJECTION_ENABLED", "true");
        var client = factory.CreateClient();

        await (await client.SendAsync(Faulted("/data/k", "503"))).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Faulted("/data", "200"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data")).StatusCode);

        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "GET"), ("endpoint", "/data/{key}"), ("status_code", "503")));
    }

    [Fact]
    public async Task Enabling_it_in_Production_stops_the_process_with_one_line()
    {
        using var directory = new TemporaryDirectory();
        await using var process = DataApiProcess.Start(new Dictionary<string, string>
        {
            ["DATA_PATH"] = Path.Combine(directory.Path, "data.db"),
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["FAULT_INJECTION_ENABLED"] = "true",
        });

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("FAULT_INJECTION_ENABLED must not be true in Production", process.StandardError, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Faulted(string path, string status) =>
        FaultInjection.Request(HttpMethod.Get, path, status);
}
