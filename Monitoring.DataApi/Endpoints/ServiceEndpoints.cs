using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Metrics;

namespace Monitoring.DataApi.Endpoints;

/// <summary><c>GET /</c> and <c>GET /health</c>; readiness, liveness and metrics come from the service defaults.</summary>
public static class ServiceEndpoints
{
    private static readonly Dictionary<string, string> Links = new()
    {
        ["self"] = "/",
        ["health"] = "/health",
        ["ready"] = Extensions.ReadinessPath,
        ["live"] = Extensions.LivenessPath,
        ["metrics"] = Extensions.MetricsPath,
        ["data"] = "/data",
        ["openapi"] = "/openapi/v1.json",
    };

    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Root).WithName("ServiceInfo").WithTags("Service").AllowHead();
        routes.MapGet("/health", Health).WithName("Health").WithTags("Service").AllowHead();
        return routes;
    }

    private static Ok<ServiceInfo> Root(IOptions<ServiceOptions> options, IHostEnvironment environment, ProcessSampler process, TimeProvider time) =>
        TypedResults.Ok(new ServiceInfo(
            options.Value.Name,
            options.Value.Version,
            environment.EnvironmentName,
            (time.GetUtcNow() - process.StartTime).TotalSeconds,
            Links));

    private static async Task<JsonHttpResult<HealthResponse>> Health(
        HealthCheckService healthChecks, ProcessSampler process, IOptions<ServiceOptions> options, CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(cancellationToken);
        var checks = HealthReportResponse.From(report);
        var sample = process.ReadOrLatest();
        var response = new HealthResponse(
            checks.Status,
            checks.TotalDurationMs,
            checks.Checks,
            new SystemInfo(
                options.Value.Version,
                sample.UptimeSeconds,
                sample.CpuSeconds,
                sample.ResidentMemoryBytes,
                sample.VirtualMemoryBytes,
                sample.Threads,
                sample.OpenFileDescriptors,
                process.StartTime,
                sample.SampledAt));

        var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return TypedResults.Json(response, statusCode: status);
    }
}
