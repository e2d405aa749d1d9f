using System.Globalization;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>
/// Long-term storage: the whole stack runs with <c>--Monitoring:RemoteWriteUrl</c> pointing at a real VictoriaMetrics
/// (<see cref="StackFixture"/>), and what Prometheus scraped from the DataApi is found there.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RemoteWriteTests(StackFixture stack)
{
    /// <summary>
    /// Every <c>http_requests_total</c> series of the DataApi that Prometheus holds at a moment after the fixture's
    /// traffic, with its labels and value, is in VictoriaMetrics at that moment too: the AppHost's setting reached the
    /// configuration Prometheus runs with, and the samples went over remote_write to the receiver.
    /// </summary>
    [Fact]
    public async Task The_receiver_set_in_RemoteWriteUrl_gets_every_DataApi_request_series_Prometheus_scraped()
    {
        const string query = "http_requests_total{job=\"dataapi\"}";
        var at = stack.TrafficEnded + TimeSpan.FromSeconds(6);
        var scraped = await stack.Prometheus.QueryAtAsync(query, at);
        Assert.Null(scraped.Error);
        var expected = Describe(scraped);
        // The fixture's traffic covers every endpoint with several statuses.
        Assert.True(expected.Count >= 10, $"only {expected.Count} series in Prometheus: {string.Join(", ", expected)}");

        // Prometheus sends in batches, within seconds of the scrape.
        IReadOnlyList<string> received = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var result = await stack.VictoriaMetrics.Api.QueryAtAsync(query, at);
            Assert.Null(result.Error);
            received = Describe(result);
            if (received.SequenceEqual(expected))
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(expected, received);
    }

    /// <summary>Each series as its sorted labels and its value, sorted.</summary>
    private static List<string> Describe(PrometheusApi.QueryResult result) =>
        result.Series.Zip(result.Samples, (series, samples) =>
                string.Join(",", series.GetProperty("metric").EnumerateObject().Select(label => $"{label.Name}={label.Value.GetString()}").Order(StringComparer.Ordinal))
                + " " + samples.Single().ToString(CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal)
            .ToList();
}
