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
            var duration = timeProvider.GetElapsedTime(started).TotalSeconds;
            var requestBytes = requestBody?.BytesRead ?? context.Request.ContentLength ?? 0;
            var responseBytes = responseBody.BytesWritten;
            // The server's own body objects go back before anything is recorded, whatever recording does.
            responseBody.Uninstall(context);
            requestBody?.Uninstall(context);
            // An exception that escaped everything below is a 500 whatever the response said so far.
            metrics.RequestStopped(series, statusCode, duration, requestBytes, responseBytes);
        }
    }
}
