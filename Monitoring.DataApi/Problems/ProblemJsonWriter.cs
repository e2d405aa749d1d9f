using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Security;

namespace Monitoring.DataApi.Problems;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the client's Accept header says. The framework's
/// default writer steps aside for <c>Accept: text/plain</c>, which would leave 404s, 405s and 500s with an empty or
/// plain-text body.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        // Again here: a problem written by the exception handler follows a response whose headers were cleared.
        SecurityHeadersMiddleware.Apply(http.Response.Headers);

        // The contract from the HTTP JSON options (generated, DataApiJsonContext), which carry the response depth limit.
        var problemJson = (JsonTypeInfo<ProblemDetails>)jsonOptions.Value.SerializerOptions.GetTypeInfo(typeof(ProblemDetails));
        return new ValueTask(http.Response.WriteAsJsonAsync(
            problem,
            problemJson,
            contentType: "application/problem+json",
            http.RequestAborted));
    }
}
