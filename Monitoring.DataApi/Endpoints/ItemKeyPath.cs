using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// The key of <c>/data/{key}</c>, percent-decoded exactly once from the request target as the client sent it, whatever
/// its form: origin-form (<c>/data/a%2Fb</c>), absolute-form (<c>http://host/data/a%2Fb</c>), any case of the path
/// (routing matches <c>/DATA/</c> too), dot segments. The server's decoded path keeps %2F but turns %25 into '%', so it
/// cannot tell "a/b" (sent as a%2Fb) from "a%2Fb" (sent as a%252Fb).
/// </summary>
public static class ItemKeyPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The decoded key, or the reason the target names no key (invalid percent-encoding, not UTF-8).</summary>
    public static (string? Key, string? Error) Decode(HttpContext context, string routeValue)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (RequestTargetPath.PathOf(target) is not { } path)
        {
            // No raw target (the in-memory test server): the decoded path, which keeps %2F as it is.
            return (routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), null);
        }
        return KeySegment(path) is { } segment
            ? Unescape(segment)
            : (null, "The path must be /data/ followed by one percent-encoded key.");
    }

    /// <summary>The raw segment after <c>/data/</c>; null when the path is not two segments (a trailing slash allowed).</summary>
    private static string? KeySegment(string path)
    {
        // The form nearly every request has: one segment after "/data/", not a dot segment. Read without splitting.
        const string Prefix = "/data/";
        if (path.StartsWith(Prefix, StringComparison.Ordinal)
            && path.IndexOf('/', Prefix.Length) < 0
            && !RequestTargetPath.IsDotSegment(path.AsSpan(Prefix.Length)))
        {
            return path[Prefix.Length..];
        }

        var segments = RequestTargetPath.Segments(path);
        if (segments.Count == 3 && segments[2].Length == 0)
        {
            segments.RemoveAt(2);
        }
        return segments.Count == 2 && segments[0].Equals("data", StringComparison.OrdinalIgnoreCase) ? segments[1] : null;
    }

    private static (string? Key, string? Error) Unescape(string segment)
    {
        // Printable ASCII without a single escape is its own decoding.
        if (!segment.AsSpan().ContainsAnyExceptInRange(' ', '~') && !segment.Contains('%', StringComparison.Ordinal))
        {
            return (segment, null);
        }
        var bytes = new byte[segment.Length];
        var length = 0;
        for (var index = 0; index < segment.Length; index++)
        {
            var character = segment[index];
            if (character > 0x7F)
            {
                // The server refuses raw bytes above 0x7F in the request line; a host that lets them through gets no guess.
                return (null, "The key in the path must be percent-encoded UTF-8.");
            }
            if (character != '%')
            {
                bytes[length++] = (byte)character;
                continue;
            }
            if (index + 2 >= segment.Length
                || !Uri.IsHexDigit(segment[index + 1]) || !Uri.IsHexDigit(segment[index + 2]))
            {
                return (null, "The key in the path has a '%' that does not start a percent-encoded byte (%XX).");
            }
            bytes[length++] = (byte)((Uri.FromHex(segment[index + 1]) << 4) | Uri.FromHex(segment[index + 2]));
            index += 2;
        }
        try
        {
            return (StrictUtf8.GetString(bytes, 0, length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, "The key in the path is not percent-encoded UTF-8.");
        }
    }
}
