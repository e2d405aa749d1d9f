using System.Diagnostics;
using Microsoft.AspNetCore.Routing;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// The bounded label values of one request: a standard method or <c>OTHER</c>, and the matched route template or
/// <see cref="UnmatchedEndpoint"/>. Raw paths, keys and values never become labels. Every string here is a constant
/// or already held by the endpoint, so building tags allocates nothing.
/// </summary>
public readonly struct RequestLabels
{
    /// <summary>The <c>endpoint</c> label of every request that matched no route (404s, 405s, probes for files).</summary>
    public const string UnmatchedEndpoint = "unmatched";

    public const string OtherMethod = "OTHER";

    private static readonly string[] StatusCodes = CreateStatusCodeStrings();

    private RequestLabels(string method, string endpoint)
    {
        Method = method;
        Endpoint = endpoint;
    }

    public string Method { get; }

    public string Endpoint { get; }

    public static RequestLabels From(HttpContext context) =>
        new(NormalizeMethod(context.Request.Method), EndpointLabel(context.GetEndpoint()));

    public static string NormalizeMethod(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => HttpMethods.Get,
        _ when HttpMethods.IsPost(method) => HttpMethods.Post,
        _ when HttpMethods.IsPut(method) => HttpMethods.Put,
        _ when HttpMethods.IsDelete(method) => HttpMethods.Delete,
        _ when HttpMethods.IsPatch(method) => HttpMethods.Patch,
        _ when HttpMethods.IsHead(method) => HttpMethods.Head,
        _ when HttpMethods.IsOptions(method) => HttpMethods.Options,
        _ when HttpMethods.IsTrace(method) => HttpMethods.Trace,
        _ when HttpMethods.IsConnect(method) => HttpMethods.Connect,
        _ => OtherMethod,
    };

    public static string EndpointLabel(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } template } ? template : UnmatchedEndpoint;

    public static string StatusCodeLabel(int statusCode) =>
        (uint)statusCode < (uint)StatusCodes.Length ? StatusCodes[statusCode] : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public TagList MethodAndEndpoint() => new()
    {
        { "method", Method },
        { "endpoint", Endpoint },
    };

    public TagList WithStatusCode(int statusCode) => new()
    {
        { "method", Method },
        { "endpoint", Endpoint },
        { "status_code", StatusCodeLabel(statusCode) },
    };

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
