using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Reliability;

/// <summary>The http_* series of one scrape of /metrics, and their label values.</summary>
public sealed class HttpSeriesSnapshot
{
    /// <summary>Standard methods, and what stands for all others: the contract's OTHER, OpenTelemetry's _OTHER.</summary>
    public static readonly IReadOnlySet<string> BoundedMethods =
        new HashSet<string>(StringComparer.Ordinal) { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "OTHER", "_OTHER" };

    private HttpSeriesSnapshot(IReadOnlyList<PrometheusText.Sample> samples) => Samples = samples;

    public IReadOnlyList<PrometheusText.Sample> Samples { get; }

    public int Count => Samples.Count;

    /// <summary>The contract's <c>endpoint</c> and the framework's <c>http_route</c> values.</summary>
    public IEnumerable<string> Endpoints => Values("endpoint", "http_route");

    /// <summary>The contract's <c>method</c> and the framework's <c>http_request_method</c> values.</summary>
    public IEnumerable<string> Methods => Values("method", "http_request_method");

    public IEnumerable<string> LabelValues => Samples.SelectMany(sample => sample.Labels.Values).Distinct(StringComparer.Ordinal);

    private IEnumerable<string> Values(params string[] labels) => Samples
        .SelectMany(sample => labels.Select(label => sample.Labels.GetValueOrDefault(label)))
        .OfType<string>()
        .Distinct(StringComparer.Ordinal);

    public static async Task<HttpSeriesSnapshot> ScrapeAsync(HttpClient client) =>
        new((await PrometheusText.ScrapeAsync(client)).Samples.Where(sample => sample.Name.StartsWith("http_", StringComparison.Ordinal)).ToList());

    /// <summary>Series identities (name and every label) that this scrape has and <paramref name="earlier"/> had not.</summary>
    public IReadOnlyList<string> NewSince(HttpSeriesSnapshot earlier)
    {
        var known = earlier.Samples.Select(Identity).ToHashSet(StringComparer.Ordinal);
        return Samples.Select(Identity).Where(identity => !known.Contains(identity)).ToList();
    }

    private static string Identity(PrometheusText.Sample sample) =>
        sample.Name + "{" + string.Join(',', sample.Labels.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => $"{label.Key}={label.Value}")) + "}";
}
