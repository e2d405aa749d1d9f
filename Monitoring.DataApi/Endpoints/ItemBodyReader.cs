using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Reads the body of <c>POST /data</c> and explains precisely what is wrong when it is not acceptable: 415 for another
/// content type or encoding, 413 past <see cref="DataApiLimits.MaxBodyBytes"/> (<see cref="BoundedBodyReader"/>), 400
/// for everything else (<see cref="ItemBodyParser"/>).
/// </summary>
public static class ItemBodyReader
{
    /// <summary>What request decompression decodes; named in the 415 that other encodings get.</summary>
    public const string SupportedEncodings = "gzip, br and deflate";

    public static async Task<(ValidatedItemBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, DataProblems.UnsupportedMediaType());
        }
        // The supported encodings were decoded, and their header removed, by request decompression before this runs.
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding && !IsIdentity(encoding))
        {
            return (null, DataProblems.UnsupportedEncoding());
        }

        var body = await BoundedBodyReader.ReadAsync(request, DataApiLimits.MaxBodyBytes, cancellationToken);
        return body is null ? (null, DataProblems.BodyTooLarge()) : ItemBodyParser.Parse(body);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }
        var isJson = mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
        // A parameter value may be quoted (charset="utf-8"): quoted and unquoted are the same value.
        var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset);
        return isJson && (!mediaType.Charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsIdentity(StringValues encoding) =>
        encoding.All(value => string.IsNullOrWhiteSpace(value) || value.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase));
}
