namespace Monitoring.DataApi.Metrics;

/// <summary>
/// ASP.NET Core's per-request instruments that say again what the contract's http_* metrics already say. They are
/// dropped, so that no request is recorded twice (docs/performance.md); a dropped instrument is not even
/// enabled, and the framework skips its per-request bookkeeping.
/// </summary>
/// <remarks>
/// Kept: Kestrel's connection metrics, exceptions, rate limiting and the runtime's, which the contract has no
/// equivalent for and which are recorded per connection or per event, not per request.
/// </remarks>
public static class FrameworkHttpMetrics
{
    /// <summary>(meter, instrument) of each duplicate, for <see cref="MetricStreamOptions.DroppedInstruments"/>.</summary>
    public static IReadOnlyList<(string Meter, string Instrument)> Duplicates { get; } =
    [
        // = http_request_duration_seconds (and http_requests_total by route and status).
        ("Microsoft.AspNetCore.Hosting", "http.server.request.duration"),
        // = http_requests_active.
        ("Microsoft.AspNetCore.Hosting", "http.server.active_requests"),
        // = http_requests_total by route: a matched route is a matched endpoint.
        ("Microsoft.AspNetCore.Routing", "aspnetcore.routing.match_attempts"),
    ];
}
