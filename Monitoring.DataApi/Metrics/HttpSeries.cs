namespace Monitoring.DataApi.Metrics;

/// <summary>
/// One (method, endpoint) pair of the http_* metrics: its tags, built once, and the counts the middleware keeps
/// itself (requests in flight, requests by status code), which observable instruments report at collection time.
/// Keeping these two out of the SDK's per-measurement path leaves one interlocked increment per request each.
/// </summary>
public sealed class HttpSeries
{
    private readonly Lock _statusesLock = new();
    private long _active;
    private StatusSeries[] _statuses = [];

    public HttpSeries(string method, string endpoint)
    {
        Method = method;
        Endpoint = endpoint;
        Tags = [new("method", method), new("endpoint", endpoint)];
    }

    public string Method { get; }

    public string Endpoint { get; }

    /// <summary>method and endpoint, in the order every instrument receives them.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public long Active => Volatile.Read(ref _active);

    /// <summary>The statuses seen so far; a snapshot that later statuses do not change.</summary>
    public IReadOnlyList<StatusSeries> Statuses => Volatile.Read(ref _statuses);

    public void Started() => Interlocked.Increment(ref _active);

    public void Stopped() => Interlocked.Decrement(ref _active);

    /// <summary>The series of one status code: found by a scan of the few seen so far, added once under a lock.</summary>
    public StatusSeries ForStatus(int statusCode)
    {
        foreach (var series in Volatile.Read(ref _statuses))
        {
            if (series.StatusCode == statusCode)
            {
                return series;
            }
        }
        lock (_statusesLock)
        {
            foreach (var series in _statuses)
            {
                if (series.StatusCode == statusCode)
                {
                    return series;
                }
            }
            var added = new StatusSeries(this, statusCode);
            Volatile.Write(ref _statuses, [.. _statuses, added]);
            return added;
        }
    }
}

/// <summary>One (method, endpoint, status_code) triple: its tags and its request count.</summary>
public sealed class StatusSeries(HttpSeries route, int statusCode)
{
    private long _requests;

    public int StatusCode { get; } = statusCode;

    /// <summary>The (method, endpoint) series this status belongs to.</summary>
    public HttpSeries Route { get; } = route;

    public KeyValuePair<string, object?>[] Tags { get; } =
        [route.Tags[0], route.Tags[1], new("status_code", RequestLabels.StatusCodeLabel(statusCode))];

    public long Requests => Volatile.Read(ref _requests);

    public void Count() => Interlocked.Increment(ref _requests);
}
