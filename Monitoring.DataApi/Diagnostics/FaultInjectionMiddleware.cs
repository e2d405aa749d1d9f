using Microsoft.Extensions.Options;
using System.Globalization;

namespace Monitoring.DataApi.Diagnostics;

/// <summary>
/// Test-only: when FAULT_INJECTION_ENABLED=true, a request carrying <c>X-Inject-Fault: &lt;status&gt;</c> (a 4xx or 5xx)
/// is answered with that status instead of reaching its endpoint — how the whole-stack tests make alerts fire.
/// Off by default; when off, this middleware is not in the pipeline at all.
/// </summary>
public sealed class FaultInjectionMiddleware(RequestDelegate next)
{
    public const string EnabledSetting = "FAULT_INJECTION_ENABLED";
    public const string HeaderName = "X-Inject-Fault";

    /// <summary>True when the switch is on; refuses to start in Production, where any client could mint 5xx and page someone.</summary>
    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment)
    {
        if (!configuration.GetValue<bool>(EnabledSetting))
        {
            return false;
        }
        if (environment.IsProduction())
        {
            throw new OptionsValidationException(EnabledSetting, typeof(FaultInjectionMiddleware),
                [$"{EnabledSetting} must not be true in Production: it lets any client choose the status of its response."]);
        }
        return true;
    }

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
