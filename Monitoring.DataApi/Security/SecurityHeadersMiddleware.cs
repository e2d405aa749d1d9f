namespace Monitoring.DataApi.Security;

/// <summary>
/// The headers every response of a JSON API should carry, whoever writes it (endpoint, status-code pages, the
/// exception handler after it cleared the response): set when the response starts.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, IHostEnvironment environment)
{
    // The API serves no active content: nothing may be loaded, framed or sniffed from its responses.
    private const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    private static readonly Func<object, Task> ApplyWithPolicy = state => Apply((HttpContext)state, contentSecurityPolicy: true);
    private static readonly Func<object, Task> ApplyWithoutPolicy = state => Apply((HttpContext)state, contentSecurityPolicy: false);

    private readonly bool _servesApiReference = environment.IsDevelopment();

    public Task InvokeAsync(HttpContext context)
    {
        // The Development-only Scalar page runs its own scripts and styles.
        var apiReference = _servesApiReference && context.Request.Path.StartsWithSegments("/scalar");
        context.Response.OnStarting(apiReference ? ApplyWithoutPolicy : ApplyWithPolicy, context);
        return next(context);
    }

    private static Task Apply(HttpContext context, bool contentSecurityPolicy)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (contentSecurityPolicy)
        {
            headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
        }
        return Task.CompletedTask;
    }
}
