using System.Diagnostics.Metrics;
using Monitoring.DataApi.Metrics;

namespace Monitoring.Benchmarks;

/// <summary>Three histograms shaped like the DataApi's (same value types, buckets and tags), recorded directly.</summary>
internal sealed class SdkFloor : IDisposable
{
    public const string MeterName = "Monitoring.Benchmarks.SdkFloor";

    private static readonly KeyValuePair<string, object?>[] RouteTags = [new("method", "GET"), new("endpoint", "/data/{key}")];
    private static readonly KeyValuePair<string, object?>[] StatusTags = [.. RouteTags, new("status_code", "200")];

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _requestSize;
    private readonly Histogram<long> _responseSize;

    public SdkFloor()
    {
        _duration = _meter.CreateHistogram("duration", "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DataApiMetrics.DurationBuckets });
        var sizeBuckets = new InstrumentAdvice<long> { HistogramBucketBoundaries = DataApiMetrics.SizeBuckets };
        _requestSize = _meter.CreateHistogram("request_size", "By", advice: sizeBuckets);
        _responseSize = _meter.CreateHistogram("response_size", "By", advice: sizeBuckets);
    }

    public void Record(double durationSeconds, long requestBytes, long responseBytes)
    {
        _duration.Record(durationSeconds, RouteTags);
        _requestSize.Record(requestBytes, RouteTags);
        _responseSize.Record(responseBytes, StatusTags);
    }

    public void Dispose() => _meter.Dispose();
}
