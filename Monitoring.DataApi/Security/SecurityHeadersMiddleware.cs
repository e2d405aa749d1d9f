namespace Monitoring.DataApi.Security;

/// <summary>
/// The headers every response of a JSON API should carry. Set before the endpoint runs, which costs no allocation
/// (a response-starting callback would cost one a request); the exception handler clears them with the rest of the
/// response, so <see cref="Problems.ProblemJsonWriter"/> sets them again on every problem it writes.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, IHostEnvironment environment)
{
    // The API serves no active content: nothing may be loaded, framed or sniffed from its responses.
    private const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    private readonly bool _servesApiReference = environment.IsDevelopment();

    public Task InvokeAsync(HttpContext context)
    {
        // The Development-only Scalar page runs its own scripts and styles.
        var apiReference = _servesApiReference && context.Request.Path.StartsWithSegments("/scalar");
        Apply(context.Response.Headers, contentSecurityPolicy: !apiReference);
        return next(context);
    }

    public static void Apply(IHeaderDictionary headers, bool contentSecurityPolicy = true)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (contentSecurityPolicy)
        {
            headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
        }
    }
}
