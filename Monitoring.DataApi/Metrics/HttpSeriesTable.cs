using System.Collections.Concurrent;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Finds a request's <see cref="HttpSeries"/> from its endpoint object and method without hashing any string:
/// endpoints are looked up by reference, methods by index. Bounded by the application's endpoints times the
/// standard methods, whatever paths and methods clients send.
/// </summary>
public sealed class HttpSeriesTable
{
    private static readonly string[] Methods =
    [
        HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch,
        HttpMethods.Head, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect, RequestLabels.OtherMethod,
    ];

    private readonly ConcurrentDictionary<Endpoint, HttpSeries?[]> _byEndpoint = new(ReferenceEqualityComparer.Instance);

    // Endpoint objects that share a route template (one per HTTP method, say) share its series.
    private readonly ConcurrentDictionary<string, HttpSeries?[]> _byTemplate = new(StringComparer.Ordinal);

    private readonly HttpSeries?[] _unmatched = new HttpSeries?[Methods.Length];

    public HttpSeries For(Endpoint? endpoint, string method)
    {
        var row = endpoint is null ? _unmatched : _byEndpoint.GetOrAdd(endpoint, RowFor, this);
        var index = MethodIndex(method);
        return Volatile.Read(ref row[index]) ?? Add(row, index, endpoint);
    }

    /// <summary>Every series created so far, for the observable instruments.</summary>
    public IEnumerable<HttpSeries> All()
    {
        foreach (var series in _unmatched)
        {
            if (series is not null)
            {
                yield return series;
            }
        }
        foreach (var row in _byTemplate.Values)
        {
            foreach (var series in row)
            {
                if (series is not null)
                {
                    yield return series;
                }
            }
        }
    }

    private static HttpSeries?[] RowFor(Endpoint endpoint, HttpSeriesTable table)
    {
        var label = RequestLabels.EndpointLabel(endpoint);
        return label == RequestLabels.UnmatchedEndpoint
            ? table._unmatched
            : table._byTemplate.GetOrAdd(label, static _ => new HttpSeries?[Methods.Length]);
    }

    private static HttpSeries Add(HttpSeries?[] row, int index, Endpoint? endpoint)
    {
        var created = new HttpSeries(Methods[index], RequestLabels.EndpointLabel(endpoint));
        return Interlocked.CompareExchange(ref row[index], created, null) ?? created;
    }

    private static int MethodIndex(string method)
    {
        // The server hands out the HttpMethods constants for the standard methods: usually the first loop answers.
        for (var index = 0; index < Methods.Length - 1; index++)
        {
            if (ReferenceEquals(method, Methods[index]))
            {
                return index;
            }
        }
        for (var index = 0; index < Methods.Length - 1; index++)
        {
            if (string.Equals(method, Methods[index], StringComparison.OrdinalIgnoreCase))
            {
                return index;
            }
        }
        return Methods.Length - 1;
    }
}
