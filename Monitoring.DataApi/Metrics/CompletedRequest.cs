namespace Monitoring.DataApi.Metrics;

/// <summary>What the http_* histograms record about one finished request.</summary>
public readonly record struct CompletedRequest(StatusSeries Series, double DurationSeconds, long RequestBytes, long ResponseBytes);
