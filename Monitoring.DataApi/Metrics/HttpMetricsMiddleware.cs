using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Records the contract's http_* metrics for every request. It runs after routing, so the matched route template
/// is known, and outside the exception handler and status-code pages, so their problem bodies are counted too.
/// </summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, DataApiMetrics metrics, TimeProvider timeProvider)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var series = metrics.SeriesFor(context.GetEndpoint(), context.Request.Method);
        var started = timeProvider.GetTimestamp();
        series.Started();

        var responseBody = CountingResponseBodyFeature.Install(context);
        var requestBody = CountingRequestBodyStream.InstallIfLengthUnknown(context);
        var statusCode = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            statusCode = context.Response.StatusCode;
        }
        finally
        {
            // An exception that escaped everything below is a 500 whatever the response said so far.
            metrics.RequestStopped(
                series,
                statusCode,
                timeProvider.GetElapsedTime(started).TotalSeconds,
                requestBytes: requestBody?.BytesRead ?? context.Request.ContentLength ?? 0,
                responseBytes: responseBody.BytesWritten);
            responseBody.Uninstall(context);
            requestBody?.Uninstall(context);
        }
    }
}
