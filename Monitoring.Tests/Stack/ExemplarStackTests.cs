using System.Text.Json;

namespace Monitoring.Tests.Stack;

/// <summary>
/// Exemplars end to end: the DataApi records a sampled request's duration inside its trace, /metrics serves the
/// exemplar in OpenMetrics, Prometheus (exemplar storage on) keeps it, and the trace it names is one the DataApi sent
/// to the Aspire dashboard, which Grafana's exemplar links open.
/// </summary>
public sealed partial class WholeStackTests
{
    [Fact]
    public async Task Prometheus_keeps_request_duration_exemplars_whose_traces_the_Aspire_dashboard_has()
    {
        var end = DateTimeOffset.UtcNow;
        var start = end - TimeSpan.FromMinutes(15);
        var data = await stack.Prometheus.GetDataAsync(
            $"/api/v1/query_exemplars?query=http_request_duration_seconds_bucket&start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}");

        var exemplars = data.EnumerateArray()
            .SelectMany(series => series.GetProperty("exemplars").EnumerateArray()
                .Select(exemplar => (Series: series.GetProperty("seriesLabels"), Labels: exemplar.GetProperty("labels"))))
            .ToList();
        Assert.NotEmpty(exemplars);
        Assert.All(exemplars, exemplar => Assert.Equal("dataapi", exemplar.Series.GetProperty("job").GetString()));
        var traceIds = exemplars.Select(exemplar => exemplar.Labels.GetProperty("trace_id").GetString()!).Distinct().ToList();
        Assert.All(traceIds, traceId => Assert.Matches("^[0-9a-f]{32}$", traceId));

        var unknown = new List<string>();
        foreach (var traceId in traceIds)
        {
            using var response = await stack.Dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !HasDataApiSpanOf(body, traceId))
            {
                unknown.Add($"{traceId}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            }
        }
        Assert.True(unknown.Count == 0, $"{unknown.Count} of {traceIds.Count} exemplar traces are unknown to the dashboard:{Environment.NewLine}{string.Join(Environment.NewLine, unknown)}");
    }

    /// <summary>The dashboard's answer (OTLP JSON) holds a span of <paramref name="traceId"/> from the DataApi.</summary>
    private static bool HasDataApiSpanOf(string body, string traceId)
    {
        using var document = JsonDocument.Parse(body);
        var resourceSpans = document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray();
        return resourceSpans.Any(resource =>
            resource.GetProperty("resource").GetProperty("attributes").EnumerateArray().Any(attribute =>
                attribute.GetProperty("key").GetString() == "service.name"
                && attribute.GetProperty("value").GetProperty("stringValue").GetString() is { } name
                && name.StartsWith("dataapi", StringComparison.Ordinal))
            && resource.GetProperty("scopeSpans").EnumerateArray().Any(scope =>
                scope.GetProperty("spans").EnumerateArray().Any(span =>
                    string.Equals(span.GetProperty("traceId").GetString(), traceId, StringComparison.OrdinalIgnoreCase))));
    }
}
