using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Metrics;
using Monitoring.ServiceDefaults;

namespace Monitoring.DataApi.Endpoints;

/// <summary><c>GET /</c> and <c>GET /health</c>, the probes' report with the process's figures; the probes and metrics are the service defaults'.</summary>
public static class ServiceEndpoints
{
    private static readonly Dictionary<string, string> Links = new()
    {
        ["self"] = "/",
        ["health"] = HealthEndpoints.ReportPath,
        ["ready"] = HealthEndpoints.ReadinessPath,
        ["live"] = HealthEndpoints.LivenessPath,
        ["metrics"] = MetricsExportOptions.ScrapePath,
        ["data"] = "/data",
        ["openapi"] = "/openapi/v1.json",
    };

    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Root).WithName("ServiceInfo").WithTags("Service").AllowHead();
        routes.MapHealthReport(HealthEndpoints.ReportPath, Health, DataApiJsonContext.Default.HealthResponse).WithName("Health").WithTags("Service").AllowHead();
        return routes;
    }

    private static Ok<ServiceInfo> Root(IOptions<ServiceOptions> options, IHostEnvironment environment, ProcessSampler process, TimeProvider time) =>
        TypedResults.Ok(new ServiceInfo(
            options.Value.Name,
            options.Value.Version,
            environment.EnvironmentName,
            (time.GetUtcNow() - process.StartTime).TotalSeconds,
            Links));

    private static HealthResponse Health(HealthReportResponse report, HttpContext context)
    {
        var process = context.RequestServices.GetRequiredService<ProcessSampler>();
        var options = context.RequestServices.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var sample = process.ReadOrLatest();
        return new HealthResponse(report, new SystemInfo(
            options.Version,
            sample.UptimeSeconds,
            sample.CpuSeconds,
            sample.ResidentMemoryBytes,
            sample.VirtualMemoryBytes,
            sample.Threads,
            sample.OpenFileDescriptors,
            process.StartTime,
            sample.SampledAt));
    }
}
