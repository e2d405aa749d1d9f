using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Writes a <see cref="HealthReport"/> as JSON: overall status and each check's status, duration and description.</summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(
            context.Response.Body,
            HealthReportResponse.From(report),
            HealthReportJsonContext.Default.HealthReportResponse,
            context.RequestAborted);
    }
}
