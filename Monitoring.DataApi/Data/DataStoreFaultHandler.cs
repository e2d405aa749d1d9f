using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

/// <summary>
/// Turns a fault of the store itself (disk full, read-only file, I/O error, lock held too long) into a 503 problem
/// with Retry-After: the request was fine and may succeed later. Whatever SQLite said stays in the log, since it can
/// name files.
/// </summary>
public sealed partial class DataStoreFaultHandler(IProblemDetailsService problemDetails, ILogger<DataStoreFaultHandler> logger) : IExceptionHandler
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>When the writer's queue is full: the writes ahead are committed in a few fsyncs.</summary>
    public static readonly TimeSpan QueueFullRetryAfter = TimeSpan.FromSeconds(1);

    // Primary result codes of https://sqlite.org/rescode.html that describe the environment, not the statement.
    internal const int SqliteBusy = 5;
    internal const int SqliteLocked = 6;
    internal const int SqliteNoMemory = 7;
    internal const int SqliteReadOnly = 8;
    internal const int SqliteIoError = 10;
    internal const int SqliteFull = 13;
    internal const int SqliteCannotOpen = 14;

    public static bool IsStoreFault(Exception exception) => exception switch
    {
        DataStoreUnavailableException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteNoMemory or SqliteReadOnly
            or SqliteIoError or SqliteFull or SqliteCannotOpen,
        _ => false,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStoreFault(exception))
        {
            return false;
        }

        var retryAfter = RetryAfter;
        if (exception is WriteQueueFullException)
        {
            // Load, not a fault, and it comes in floods: counted as 503s by http_requests_total, logged only at Debug.
            LogWriteQueueFull(logger, httpContext.Request.Method, httpContext.Request.Path);
            retryAfter = QueueFullRetryAfter;
        }
        else
        {
            LogStoreFault(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Data store unavailable",
                Detail = "The data store cannot serve this request right now; retry later.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The data store's write queue is full; answered {Method} {Path} with 503")]
    private static partial void LogWriteQueueFull(ILogger logger, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The data store failed {Method} {Path}; answered 503")]
    private static partial void LogStoreFault(ILogger logger, Exception exception, string method, PathString path);
}
