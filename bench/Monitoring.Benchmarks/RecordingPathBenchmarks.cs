using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.DataApi;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Monitoring.Benchmarks;

/// <summary>
/// The per-request recording path: the same request through a terminal endpoint, with and without
/// <see cref="HttpMetricsMiddleware"/>, the instruments observed by an OpenTelemetry MeterProvider as in the service.
/// The difference between the two is what the metrics cost a request (time and bytes allocated).
/// </summary>
[MemoryDiagnoser]
public class RecordingPathBenchmarks
{
    private static readonly byte[] Body = new byte[64];

    private readonly RouteEndpoint _endpoint = new(
        _ => Task.CompletedTask, RoutePatternFactory.Parse("/data/{key}"), 0, EndpointMetadataCollection.Empty, "GetDataItem");

    private ServiceProvider _services = null!;
    private MeterProvider _meterProvider = null!;
    private HttpMetricsMiddleware _middleware = null!;
    private DataApiMetrics _metrics = null!;
    private SdkFloor _floor = null!;
    private Activity _sampledTrace = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection()
            .AddSingleton(Options.Create(new ProcessMetricsOptions { EnableSystemMetrics = false }))
            .AddSingleton(TimeProvider.System)
            .AddDataApiMetrics()
            .BuildServiceProvider();
        var exported = new List<Metric>();
        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(DataApiMetrics.MeterName, SdkFloor.MeterName)
            // As the service defaults set it: unsampled measurements pay the filter's check, sampled ones an exemplar.
            .SetExemplarFilter(ExemplarFilterType.TraceBased)
            .AddInMemoryExporter(exported)
            .Build()!;
        _metrics = _services.GetRequiredService<DataApiMetrics>();
        _floor = new SdkFloor();
        _middleware = new HttpMetricsMiddleware(Terminal, _metrics, TimeProvider.System);
        _sampledTrace = new Activity("sampled request") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();
        Activity.Current = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sampledTrace.Dispose();
        _meterProvider.Dispose();
        _floor.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task WithoutMetrics() => Terminal(NewContext());

    [Benchmark]
    public Task WithMetrics() => _middleware.InvokeAsync(NewContext());

    /// <summary>Only what the middleware records for a request, without the request: the series lookup and the instruments.</summary>
    [Benchmark]
    public void RecordingOnly()
    {
        var series = _metrics.SeriesFor(_endpoint, HttpMethods.Get);
        series.Started();
        _metrics.RequestStopped(series, StatusCodes.Status200OK, durationSeconds: 0.0004, requestBytes: 0, responseBytes: Body.Length);
    }

    /// <summary>
    /// <see cref="RecordingOnly"/> for a request whose trace is sampled: recorded at once inside it, each histogram
    /// keeping it as an exemplar. Includes making the trace current and restoring it, which a request does not pay here.
    /// </summary>
    [Benchmark]
    public void RecordingOnlyInSampledTrace()
    {
        Activity.Current = _sampledTrace;
        try
        {
            RecordingOnly();
        }
        finally
        {
            Activity.Current = null;
        }
    }

    /// <summary>
    /// What the SDK itself costs for the three histogram measurements of a request, one at a time, with the same tags,
    /// straight into instruments. What <see cref="RecordingOnly"/> costs above this is the DataApi's own code.
    /// </summary>
    [Benchmark]
    public void SdkOnly() => _floor.Record(durationSeconds: 0.0004, requestBytes: 0, responseBytes: Body.Length);

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/data/some-key";
        context.SetEndpoint(_endpoint);
        return context;
    }

    private static Task Terminal(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return context.Response.Body.WriteAsync(Body).AsTask();
    }
}
