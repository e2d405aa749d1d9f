using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// A request whose trace is sampled leaves an exemplar with its trace id on http_request_duration_seconds, in what the
/// MeterProvider hands its exporters (OTLP to the Aspire dashboard reads the same points) and on /metrics in OpenMetrics
/// (what Prometheus scrapes); a request whose trace is not sampled leaves none.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ExemplarTests : IDisposable
{
    private const string Duration = "http_request_duration_seconds";

    private readonly List<Metric> _exported = [];
    private readonly BaseExportingMetricReader _reader;
    private readonly DataApiFactory _factory;

    public ExemplarTests()
    {
        _reader = new BaseExportingMetricReader(new InMemoryExporter<Metric>(_exported));
        _factory = new DataApiFactory()
            // Traces are recorded only with an OTLP endpoint; nothing listens on this one (the discard port).
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
            .WithServices(services => services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddReader(_reader)));
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_sampled_request_leaves_its_trace_id_as_an_exemplar_for_exporters_and_on_OpenMetrics_and_an_unsampled_one_does_not()
    {
        var client = _factory.CreateClient();
        var sampled = ActivityTraceId.CreateRandom();
        var unsampled = ActivityTraceId.CreateRandom();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Traced("/", sampled, sampledFlag: true))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Traced("/", unsampled, sampledFlag: false))).StatusCode);

        var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        var openMetrics = await (await client.SendAsync(scrape)).Content.ReadAsStringAsync();
        var exemplarLines = openMetrics.Split('\n').Where(line => line.StartsWith($"{Duration}_bucket{{", StringComparison.Ordinal) && line.Contains(" # {", StringComparison.Ordinal)).ToList();
        Assert.Contains(exemplarLines, line => line.Contains($"trace_id=\"{sampled.ToHexString()}\"", StringComparison.Ordinal));
        Assert.DoesNotContain(unsampled.ToHexString(), openMetrics, StringComparison.Ordinal);

        Assert.True(_reader.Collect(timeoutMilliseconds: 10_000));
        var traceIds = ExemplarTraceIds(Assert.Single(_exported, metric => metric.Name == Duration));
        Assert.Contains(sampled, traceIds);
        Assert.DoesNotContain(unsampled, traceIds);
        // Both requests are counted, the unsampled one through the batched path.
        Assert.Equal(2, RequestsTo(Assert.Single(_exported, metric => metric.Name == Duration), "/"));
    }

    /// <summary>A request carrying a W3C traceparent whose sampled flag is <paramref name="sampledFlag"/>.</summary>
    private static HttpRequestMessage Traced(string path, ActivityTraceId traceId, bool sampledFlag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-{(sampledFlag ? "01" : "00")}");
        return request;
    }

    private static List<ActivityTraceId> ExemplarTraceIds(Metric metric)
    {
        var traceIds = new List<ActivityTraceId>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (point.TryGetExemplars(out var exemplars))
            {
                foreach (ref readonly var exemplar in exemplars)
                {
                    traceIds.Add(exemplar.TraceId);
                }
            }
        }
        return traceIds;
    }

    private static long RequestsTo(Metric metric, string endpoint)
    {
        long count = 0;
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "endpoint" && Equals(tag.Value, endpoint))
                {
                    count += point.GetHistogramCount();
                }
            }
        }
        return count;
    }
}
