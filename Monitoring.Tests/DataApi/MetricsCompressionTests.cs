using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// /metrics is gzip-compressed when the scraper asks for it (Prometheus does, by default) and plain text otherwise. The
/// OpenTelemetry Prometheus exporter compresses by itself; these tests keep it that way through upgrades.
/// </summary>
public sealed class MetricsCompressionTests : IDisposable
{
    private readonly DataApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Scrape_with_accept_encoding_gzip_is_compressed_exposition_text()
    {
        var client = _factory.CreateClient();
        await client.PostAsJsonAsync("/data", new { key = "k", value = 1 });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();

        Assert.True(compressed.Length < Encoding.UTF8.GetByteCount(text), "The compressed body is not smaller than the text.");
        var metrics = PrometheusText.Parse(text);
        Assert.Equal("counter", metrics.Types["http_requests_total"]);
        Assert.NotEmpty(metrics.Series("http_requests_total", ("method", "POST"), ("endpoint", "/data")));
    }

    [Fact]
    public async Task Scrape_without_accept_encoding_is_plain_text()
    {
        var client = _factory.CreateClient();
        await client.PostAsJsonAsync("/data", new { key = "k", value = 1 });

        using var response = await client.GetAsync("/metrics");

        response.EnsureSuccessStatusCode();
        Assert.Empty(response.Content.Headers.ContentEncoding);
        var metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("counter", metrics.Types["http_requests_total"]);
    }
}
