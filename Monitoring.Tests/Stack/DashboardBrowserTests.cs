using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The Aspire dashboard in a real browser (Debian's Chromium, driven by Playwright): after traffic, the DataApi's
/// request counter, received over OTLP, plots the number of requests the test sent, and the request duration chart
/// draws exemplars that open the DataApi's traces.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed partial class DashboardBrowserTests
{
    public const string Chromium = "/usr/bin/chromium";

    // Items the test creates, then reads back: nothing else creates an item (POST /data → 201) or reads one
    // (GET /data/{key} → 200), so these two series of http_requests_total count exactly the test's requests.
    private const int Items = 20;

    [Fact]
    public async Task The_dashboard_shows_the_DataApi_request_counter_and_duration_exemplars_after_traffic()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (see README)");
        using var directory = new TemporaryDirectory();
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string>
        {
            ["Monitoring__StackMode"] = "LocalProcesses",
            ["Monitoring__DataPath"] = Path.Combine(directory.Path, "data.db"),
        });
        var login = await appHost.WaitForOutputAsync(LoginUrl(), TimeSpan.FromMinutes(2));
        using var dataApi = new HttpClient { BaseAddress = await appHost.WaitForDataApiAsync(TimeSpan.FromMinutes(2)) };
        // The replica counts as running before Kestrel listens.
        await Readiness.WaitUntilReadyAsync(dataApi, TimeSpan.FromMinutes(1));
        for (var i = 0; i < Items; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await dataApi.PostAsJsonAsync("/data", new { key = $"browser-{i}", value = i })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await dataApi.GetAsync($"/data/browser-{i}")).StatusCode);
        }
        Assert.True(File.Exists(Path.Combine(directory.Path, "data.db")), "the DataApi did not use Monitoring__DataPath");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // No sandbox as root; no background calls to Google's services, which this machine's network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });

        await page.GotoAsync(login);
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { Timeout = 60_000 });
        await page.GotoAsync($"{appHost.DashboardUrl}/metrics/resource/dataapi?meter=Monitoring.DataApi&instrument=http_requests_total&duration=5&view=Graph");

        // The Blazor page renders after it loads: wait for the counter's own dimension values, which exist only once
        // measurements with them have arrived.
        await page.GetByText("/data/{key}", new() { Exact = true }).First.WaitForAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByText("http_requests_total").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("201", new() { Exact = true }).First).ToBeVisibleAsync();
        // The chart itself (Plotly draws it into an SVG).
        await page.Locator(".plotly svg.main-svg").First.WaitForAsync(new() { Timeout = 30_000 });

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "aspire-dashboard-metrics.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // The plotted count itself: a chart drawn from a counter that does not count would still show the tags above.
        var chart = new AspireMetricChart(page);
        await chart.ShowOnlyAsync("endpoint", "/data");
        await chart.ShowOnlyAsync("status_code", "201");
        var created = await chart.WaitForNewestValueAsync(Items, TimeSpan.FromSeconds(60));
        Assert.True(created == Items, $"POST /data → 201 plots {Shown(created)}; the test created {Items} items");
        await chart.ShowOnlyAsync("endpoint", "/data/{key}");
        await chart.ShowOnlyAsync("status_code", "200");
        var read = await chart.WaitForNewestValueAsync(Items, TimeSpan.FromSeconds(60));
        Assert.True(read == Items, $"GET /data/{{key}} → 200 plots {Shown(read)}; the test read {Items} items");

        // The request duration chart draws the requests' exemplars, each the DataApi span of its trace (a span the
        // dashboard has, so its tooltip names the resource and a click opens it).
        await page.GotoAsync($"{appHost.DashboardUrl}/metrics/resource/dataapi?meter=Monitoring.DataApi&instrument=http_request_duration_seconds&duration=5&view=Graph");
        await page.Locator(".plotly svg.main-svg").First.WaitForAsync(new() { Timeout = 30_000 });
        var exemplars = await WaitForExemplarsAsync(chart, TimeSpan.FromSeconds(60));
        Assert.NotEmpty(exemplars);
        Assert.All(exemplars, exemplar => Assert.Matches("^[0-9a-f]{32}$", exemplar.TraceId));
        Assert.True(exemplars.All(exemplar => exemplar.Tooltip.Contains("dataapi", StringComparison.Ordinal)),
            $"exemplars without a DataApi span: {string.Join(" | ", exemplars.Select(exemplar => exemplar.Tooltip))}");
    }

    private static async Task<IReadOnlyList<AspireMetricChart.Exemplar>> WaitForExemplarsAsync(AspireMetricChart chart, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var exemplars = await chart.ExemplarsAsync();
        while (exemplars.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            exemplars = await chart.ExemplarsAsync();
        }
        return exemplars;
    }

    private static string Shown(double? value) =>
        value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing";

    [GeneratedRegex(@"Login to the dashboard at (http://\S+/login\?t=[0-9a-f]+)")]
    private static partial Regex LoginUrl();
}
