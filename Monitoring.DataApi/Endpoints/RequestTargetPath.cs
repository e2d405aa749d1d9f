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
