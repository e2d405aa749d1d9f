using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Every instrument of the contract, declared once. Names are the Prometheus names the Python service documents; the
/// OpenTelemetry Prometheus exporter keeps them as they are (units already end the names, counters end in _total).
/// </summary>
/// <remarks>
/// Disposed before the meter factory it depends on, it records the requests still held while the instruments are
/// alive, so that the MeterProvider's last export on shutdown has them whatever order the two are disposed in.
/// </remarks>
public sealed class DataApiMetrics : IDisposable
{
    public const string MeterName = "Monitoring.DataApi";

    // Web latencies from 0.5 ms to 10 s.
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // Powers of four from 64 B to 1 MiB, the largest body the API accepts.
    public static IReadOnlyList<long> SizeBuckets { get; } = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

    private readonly HttpSeriesTable _series = new();
    private readonly CompletedRequestBuffer _completed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _requestSize;
    private readonly Histogram<long> _responseSize;

    public DataApiMetrics(IMeterFactory meterFactory, IOptions<ProcessMetricsOptions> options, ProcessSampler processSampler)
    {
        var meter = meterFactory.Create(MeterName);
        _completed = new CompletedRequestBuffer(Record);

        // Counted by the middleware itself and observed at collection: see HttpSeries.
        meter.CreateObservableCounter("http_requests_total", ObserveRequests, description: "Total HTTP requests");
        _duration = meter.CreateHistogram("http_request_duration_seconds", "s", "Request duration in seconds",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requestSize = meter.CreateHistogram("http_request_size_bytes", "By", "Request size in bytes",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        _responseSize = meter.CreateHistogram("http_response_size_bytes", "By", "Response size in bytes",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        meter.CreateObservableUpDownCounter("http_requests_active", ObserveActive, description: "Number of active requests");

        if (options.Value.EnableSystemMetrics)
        {
            DeclareProcessMetrics(meter, processSampler);
        }
    }

    /// <summary>The process_* instruments. They have no tags, so one series each.</summary>
    public static IReadOnlyList<string> ProcessInstruments { get; } =
    [
        ProcessCpu, ProcessResidentMemory, ProcessVirtualMemory, ProcessStartTime, ProcessUptime, ProcessOpenFds, ProcessThreads,
    ];

    private const string ProcessCpu = "process_cpu_seconds_total";
    private const string ProcessResidentMemory = "process_resident_memory_bytes";
    private const string ProcessVirtualMemory = "process_virtual_memory_bytes";
    private const string ProcessStartTime = "process_start_time_seconds";
    private const string ProcessUptime = "process_uptime_seconds";
    private const string ProcessOpenFds = "process_open_fds";
    private const string ProcessThreads = "process_threads";

    private static void DeclareProcessMetrics(Meter meter, ProcessSampler sampler)
    {
        meter.CreateObservableCounter(ProcessCpu, () => sampler.Latest.CpuSeconds, "s", "Total CPU time consumed by the process");
        meter.CreateObservableGauge(ProcessResidentMemory, () => sampler.Latest.ResidentMemoryBytes, "By", "Physical memory currently used");
        meter.CreateObservableGauge(ProcessVirtualMemory, () => sampler.Latest.VirtualMemoryBytes, "By", "Virtual memory allocated");
        meter.CreateObservableGauge(ProcessStartTime, () => sampler.Latest.StartTimeSeconds, "s", "Process start time since Unix epoch");
        meter.CreateObservableGauge(ProcessUptime, () => sampler.Latest.UptimeSeconds, "s", "Process uptime in seconds");
        meter.CreateObservableGauge(ProcessOpenFds, () => sampler.Latest.OpenFileDescriptors, description: "Number of open file descriptors");
        meter.CreateObservableGauge(ProcessThreads, () => sampler.Latest.Threads, description: "Number of OS threads");
    }

    /// <summary>The series of a request, from its endpoint (null when none matched) and its method as sent.</summary>
    public HttpSeries SeriesFor(Endpoint? endpoint, string method) => _series.For(endpoint, method);

    public void RequestStopped(HttpSeries series, int statusCode, double durationSeconds, long requestBytes, long responseBytes)
    {
        series.Stopped();
        var status = series.ForStatus(statusCode);
        status.Count();
        var request = new CompletedRequest(status, durationSeconds, requestBytes, responseBytes);
        if (Activity.Current is { Recorded: true })
        {
            // A sampled request is recorded now, inside its own trace, so that the SDK's trace-based exemplar filter
            // makes it an exemplar that links the histogram bucket to that trace. Every other request, all of them
            // when traces are off, takes the batched path, which records outside any trace.
            RecordOne(in request);
        }
        else
        {
            _completed.Add(request);
        }
    }

    public void Dispose() => _completed.Drain();

    private void RecordOne(in CompletedRequest request)
    {
        var routeTags = request.Series.Route.Tags;
        _duration.Record(request.DurationSeconds, routeTags);
        _requestSize.Record(request.RequestBytes, routeTags);
        _responseSize.Record(request.ResponseBytes, request.Series.Tags);
    }

    private void Record(ReadOnlySpan<CompletedRequest> requests)
    {
        // A batch is recorded on whichever thread fills or drains it: its trace belongs to none of these requests, and
        // an exemplar filter that samples traced measurements must not pin 64 of them on it.
        var current = Activity.Current;
        if (current is not null)
        {
            Activity.Current = null;
        }
        try
        {
            foreach (ref readonly var request in requests)
            {
                RecordOne(in request);
            }
        }
        finally
        {
            if (current is not null)
            {
                Activity.Current = current;
            }
        }
    }

    // The SDK runs the observable callbacks before it reads the histograms, so the requests held are recorded in time.
    // Both callbacks drain: either instrument may be dropped by a view.
    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        _completed.Drain();
        return RequestCounts();
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        _completed.Drain();
        return ActiveCounts();
    }

    private IEnumerable<Measurement<long>> RequestCounts()
    {
        foreach (var series in _series.All())
        {
            foreach (var status in series.Statuses)
            {
                yield return new Measurement<long>(status.Requests, status.Tags);
            }
        }
    }

    private IEnumerable<Measurement<long>> ActiveCounts()
    {
        foreach (var series in _series.All())
        {
            yield return new Measurement<long>(series.Active, series.Tags);
        }
    }
}
