using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Monitoring.DataApi.Problems;

/// <summary>
/// A request the client got wrong in a way only found while it is read (broken chunk framing, a body that stops
/// arriving, a body that does not decompress) is that client's 4xx problem, never a 500: it must not count as a server
/// error (HighErrorRate) nor be logged as one. It is logged at Information, without a stack trace: it says nothing
/// about the service.
/// </summary>
public sealed partial class ClientFaultHandler(IProblemDetailsService problemDetails, ILogger<ClientFaultHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException { StatusCode: >= 400 and < 500 } fault)
        {
            return false;
        }

        LogClientFault(logger, httpContext.Request.Method, httpContext.Request.Path, fault.StatusCode, fault.Message);
        httpContext.Response.StatusCode = fault.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = fault.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(fault.StatusCode),
                Detail = fault.Message,
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    private static partial void LogClientFault(ILogger logger, string method, PathString path, int statusCode, string reason);
}
