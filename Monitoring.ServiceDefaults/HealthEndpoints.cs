using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.ServiceDefaults;

/// <summary>
/// Every health endpoint of a service: the probes an orchestrator polls (<c>/health/ready</c>, <c>/health/live</c>)
/// and a service's detailed report, all answering the <see cref="HealthReportResponse"/> shape.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Health checks carrying this tag are part of readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Health checks carrying this tag are part of liveness (<c>/health/live</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>Where a service maps its detailed report (<see cref="MapHealthReport{TResponse}"/>); the probes are below it.</summary>
    public const string ReportPath = "/health";

    public const string ReadinessPath = "/health/ready";
    public const string LivenessPath = "/health/live";

    internal static bool IsHealthPath(PathString path) => path.StartsWithSegments(ReportPath);

    internal static void MapHealthProbes(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteProbeAsync,
        });
        routes.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = WriteProbeAsync,
        });
    }

    /// <summary>
    /// Maps <paramref name="pattern"/> to a report of every check, which <paramref name="describe"/> extends with the
    /// service's own facts, written with <paramref name="responseJson"/> (the service's source-generated JSON
    /// contract: no reflection). 503 when a check is unhealthy, 200 otherwise (degraded included), as the probes answer.
    /// </summary>
    public static RouteHandlerBuilder MapHealthReport<TResponse>(
        this IEndpointRouteBuilder routes,
        string pattern,
        Func<HealthReportResponse, HttpContext, TResponse> describe,
        JsonTypeInfo<TResponse> responseJson)
        where TResponse : HealthReportResponse =>
        // IResult rather than JsonHttpResult<TResponse>: the request delegate generator writes code from the handler's
        // signature, and cannot name the method's type parameter there.
        routes.MapGet(pattern, async Task<IResult> (HttpContext context, HealthCheckService checks, CancellationToken cancellationToken) =>
        {
            var report = await checks.CheckHealthAsync(cancellationToken);
            var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return TypedResults.Json(describe(HealthReportResponse.From(report), context), responseJson, statusCode: status);
        });

    private static Task WriteProbeAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(
            context.Response.Body,
            HealthReportResponse.From(report),
            HealthReportJsonContext.Default.HealthReportResponse,
            context.RequestAborted);
    }
}
