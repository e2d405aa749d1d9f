using System.Buffers;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Reads and validates the body of <c>POST /data</c> and explains precisely what is wrong when it is not
/// acceptable: 415 for another content type, 413 past <see cref="DataApiLimits.MaxBodyBytes"/>, 400 for everything else.
/// </summary>
public static class DataItemRequestReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = DataApiLimits.MaxRequestJsonDepth,
    };

    public static async Task<(ValidatedItemBody? Request, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body must be JSON sent with Content-Type: application/json.");
        }
        // The supported encodings were decoded, and their header removed, by request decompression before this runs.
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding && !IsIdentity(encoding))
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported content encoding",
                $"The body's Content-Encoding must be one of {SupportedEncodings}, or none.");
        }

        if (request.ContentLength > DataApiLimits.MaxBodyBytes)
        {
            return TooLarge();
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request.Body, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            return TooLarge();
        }

        return Parse(body);
    }

    public static string? ValidateKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "'key' must be a non-empty string.";
        }
        var length = 0;
        foreach (var rune in key.EnumerateRunes())
        {
            if (++length > DataApiLimits.MaxKeyLength)
            {
                return $"'key' must be at most {DataApiLimits.MaxKeyLength} characters (Unicode scalar values) long.";
            }
            if (Rune.IsControl(rune))
            {
                return "'key' must not contain control characters.";
            }
            if (IsBidirectionalControlOrByteOrderMark(rune.Value))
            {
                // Invisible, they make a key shown in a log or a UI read as another one.
                return "'key' must not contain bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or a byte-order mark (U+FEFF).";
            }
        }
        if (key is "." or "..")
        {
            // A URL path normalizes these segments away: /data/.. is /, so such a key could never be read back.
            return "'key' must not be '.' or '..'.";
        }
        return null;
    }

    private static bool IsBidirectionalControlOrByteOrderMark(int value) =>
        value is 0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0xFEFF;

    private static (ValidatedItemBody?, ProblemHttpResult?) Parse(byte[] body)
    {
        // The JSON reader checks UTF-8 only where it unescapes: a bad byte inside a string would slip through.
        if (!Utf8.IsValid(body))
        {
            return Invalid("The body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException exception)
        {
            return Invalid($"The body is not valid JSON: {DescribeJsonError(exception)}");
        }
        catch (InvalidOperationException)
        {
            // The duplicate-property check unescapes every property name, surrogates included.
            return UnpairedSurrogate();
        }

        using (document)
        {
            try
            {
                return Validate(document.RootElement);
            }
            // Reading the key or minifying the value throws InvalidOperationException.
            catch (InvalidOperationException)
            {
                return UnpairedSurrogate();
            }
        }
    }

    private static (ValidatedItemBody?, ProblemHttpResult?) Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid("The body must be a JSON object with the properties 'key' and 'value'.");
        }

        string? key = null;
        JsonElement? value = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "key" when property.Value.ValueKind == JsonValueKind.String:
                    key = property.Value.GetString();
                    break;
                case "key":
                    return Invalid($"'key' must be a string, not {Describe(property.Value.ValueKind)}.");
                case "value":
                    value = property.Value;
                    break;
                default:
                    return Invalid($"Unknown property '{Truncate(property.Name)}': only 'key' and 'value' are accepted.");
            }
        }

        if (key is null)
        {
            return Invalid("The property 'key' is required.");
        }
        if (ValidateKey(key) is { } keyError)
        {
            return Invalid(keyError);
        }
        if (value is null)
        {
            return Invalid("The property 'value' is required (any JSON value, null included).");
        }
        var valueJson = JsonMinifier.Minify(JsonMarshal.GetRawUtf8Value(value.Value));
        if (valueJson.Length > DataApiLimits.MaxValueBytes)
        {
            return Invalid($"'value' must be at most {DataApiLimits.MaxValueBytes / 1024} KiB once serialized.");
        }

        return (new ValidatedItemBody(key, valueJson), null);
    }

    /// <summary>
    /// The body, or null when it is longer than <see cref="DataApiLimits.MaxBodyBytes"/> (also when chunked or decompressed). A body
    /// the client broke (framing, a stall, a corrupt compressed stream) is rethrown as a 4xx
    /// <see cref="BadHttpRequestException"/>, which <see cref="Problems.ClientFaultHandler"/> answers.
    /// </summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBoundedAsync(body, cancellationToken);
        }
        catch (BadHttpRequestException)
        {
            throw;
        }
        catch (IOException exception)
        {
            // The server's own parser reports some framing errors (a chunk size past 2^31) as a plain IOException.
            throw new BadHttpRequestException($"The request body could not be read: {exception.Message}", StatusCodes.Status400BadRequest, exception);
        }
        catch (InvalidDataException exception)
        {
            throw new BadHttpRequestException("The request body could not be decompressed as its Content-Encoding says.", StatusCodes.Status400BadRequest, exception);
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            while (length <= DataApiLimits.MaxBodyBytes)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Never more than one byte past the limit: that byte is enough to refuse the body.
                var window = Math.Min(buffer.Length, DataApiLimits.MaxBodyBytes + 1) - length;
                var read = await body.ReadAsync(buffer.AsMemory(length, window), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
                length += read;
            }
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    /// <summary>What request decompression decodes; named in the 415 that other encodings get.</summary>
    public const string SupportedEncodings = "gzip, br and deflate";

    private static bool IsIdentity(Microsoft.Extensions.Primitives.StringValues encoding) =>
        encoding.All(value => string.IsNullOrWhiteSpace(value) || value.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase));

    private static string DescribeJsonError(JsonException exception) =>
        exception.LineNumber is { } line && exception.BytePositionInLine is { } position
            ? $"error at line {line + 1}, byte {position + 1}."
            : "it could not be parsed.";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static string Truncate(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");

    private static (ValidatedItemBody?, ProblemHttpResult?) Invalid(string detail) =>
        Fail(StatusCodes.Status400BadRequest, "Invalid request body", detail);

    // A \uD800-style escape of a lone surrogate: valid JSON syntax, but no text. Stored, it would become U+FFFD and
    // collide with other keys and values.
    private static (ValidatedItemBody?, ProblemHttpResult?) UnpairedSurrogate() =>
        Invalid("The body contains an unpaired surrogate escape (such as \\uD800), which is not text.");

    private static (ValidatedItemBody?, ProblemHttpResult?) TooLarge() =>
        Fail(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The body must be at most {DataApiLimits.MaxBodyBytes / (1024 * 1024)} MiB.");

    private static (ValidatedItemBody?, ProblemHttpResult?) Fail(int status, string title, string detail) =>
        (null, TypedResults.Problem(detail: detail, statusCode: status, title: title));
}
