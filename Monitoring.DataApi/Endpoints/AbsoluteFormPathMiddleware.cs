using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Gives an absolute-form request (<c>GET http://host/data/a%2Fb</c>, as sent to a proxy) the path an origin-form
/// request with the same path gets. The server decodes an absolute-form path completely, %2F included, so
/// <c>/data/a%2Fb</c> would route as <c>/data/a/b</c>; here every escape but %2F is decoded, as for origin-form.
/// </summary>
public sealed class AbsoluteFormPathMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is { Length: > 0 } && target[0] != '/' && RequestTargetPath.PathOf(target) is { } path)
        {
            try
            {
                context.Request.Path = PathString.FromUriComponent("/" + string.Join('/', RequestTargetPath.Segments(path)));
            }
            catch (InvalidOperationException)
            {
                // An escaped NUL, which no path may hold: the server's path stays, and the key decoder refuses the key.
            }
        }
        return next(context);
    }
}
