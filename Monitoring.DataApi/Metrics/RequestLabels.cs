using Microsoft.AspNetCore.Routing;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// The bounded label values of a request: a standard method or <c>OTHER</c>, the matched route template or
/// <see cref="UnmatchedEndpoint"/>, and the status code. Raw paths, keys and values never become labels.
/// </summary>
public static class RequestLabels
{
    /// <summary>The <c>endpoint</c> label of every request that matched no route (404s, 405s, probes for files).</summary>
    public const string UnmatchedEndpoint = "unmatched";

    public const string OtherMethod = "OTHER";

    private static readonly string[] StatusCodes = CreateStatusCodeStrings();

    public static string EndpointLabel(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } template } ? template : UnmatchedEndpoint;

    public static string StatusCodeLabel(int statusCode) =>
        (uint)statusCode < (uint)StatusCodes.Length ? StatusCodes[statusCode] : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] CreateStatusCodeStrings()
    {
        var codes = new string[600];
        for (var code = 0; code < codes.Length; code++)
        {
            codes[code] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return codes;
    }
}
