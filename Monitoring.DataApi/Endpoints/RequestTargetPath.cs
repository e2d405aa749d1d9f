using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Endpoints;

/// <summary>The path of a request target as the client sent it, still percent-encoded.</summary>
public static class RequestTargetPath
{
    /// <summary>The path of an origin-form or absolute-form target, without its query; null for any other form.</summary>
    public static string? PathOf(string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return null;
        }
        var start = 0;
        if (target[0] != '/')
        {
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                return null;
            }
            start = target.IndexOf('/', scheme + 3);
            if (start < 0)
            {
                return "/";
            }
        }
        var end = target.IndexOfAny(['?', '#'], start);
        return end < 0 ? target[start..] : target[start..end];
    }

    /// <summary>
    /// The raw segments of an absolute path (after its leading '/') once "." and ".." segments, their dots
    /// percent-encoded or not, are resolved as RFC 3986 resolves them.
    /// </summary>
    public static List<string> Segments(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/').Skip(1))
        {
            switch (DotCount(segment))
            {
                case 1:
                    break;
                case 2:
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }
                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }
        return segments;
    }

    /// <summary>True for "." and "..", their dots percent-encoded or not.</summary>
    public static bool IsDotSegment(ReadOnlySpan<char> segment) => DotCount(segment) is 1 or 2;

    /// <summary>How many dots the segment is made of ("." or "%2e" each), or 0 when anything else is in it.</summary>
    private static int DotCount(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        for (var index = 0; index < segment.Length; index++)
        {
            if (segment[index] == '.')
            {
                dots++;
            }
            else if (segment[index..].StartsWith("%2e", StringComparison.OrdinalIgnoreCase))
            {
                dots++;
                index += 2;
            }
            else
            {
                return 0;
            }
        }
        return dots;
    }
}

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
