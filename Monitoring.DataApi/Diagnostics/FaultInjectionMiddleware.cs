using System.Globalization;

namespace Monitoring.DataApi.Diagnostics;

/// <summary>
/// Test-only: when <see cref="FaultInjectionOptions.Enabled"/>, a request carrying <c>X-Inject-Fault: &lt;status&gt;</c> (a 4xx or 5xx)
/// is answered with that status instead of reaching its endpoint — how the whole-stack tests make alerts fire.
/// Off by default; when off, this middleware is not in the pipeline at all.
/// </summary>
public sealed class FaultInjectionMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Inject-Fault";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(HeaderName, out var requested)
            || !int.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            || status is < 400 or > 599)
        {
            return next(context);
        }

        return TypedResults.Problem(
                statusCode: status,
                title: "Injected fault",
                detail: $"This response was requested through the {HeaderName} header (fault injection is enabled).")
            .ExecuteAsync(context);
    }
}
