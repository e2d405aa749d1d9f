using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Monitoring.LoadBench;

/// <summary>One GET /metrics, timed to the last byte, its body kept as it came over the wire (not decompressed).</summary>
internal sealed record MetricsScrape(double Microseconds, byte[] Body, string? ContentEncoding)
{
    public const string Path = "/metrics";

    public static async Task<MetricsScrape> GetAsync(HttpClient client, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Path, UriKind.Relative));
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }
        var stopwatch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = stopwatch.Elapsed.TotalMicroseconds;
        response.EnsureSuccessStatusCode();
        return new MetricsScrape(elapsed, body, response.Content.Headers.ContentEncoding.FirstOrDefault());
    }

    /// <summary>Sample lines in an uncompressed exposition: every line that is neither empty nor a comment.</summary>
    public static int CountSeries(string exposition) =>
        exposition.Split('\n').Count(line => line.Length > 0 && line[0] != '#');

    /// <summary>A client that leaves bodies as they are sent, so that sizes are the wire's.</summary>
    public static HttpClient RawClient(string baseUrl) =>
        new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
}
