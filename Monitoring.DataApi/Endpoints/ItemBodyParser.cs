using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Turns the bytes of a <c>POST /data</c> body into a <see cref="ValidatedItemBody"/>, or a 400 that says precisely what
/// is wrong: not UTF-8, not JSON, not an object of 'key' and 'value', a key that breaks <see cref="ItemKey"/>'s rules, a
/// value past <see cref="DataApiLimits.MaxValueBytes"/>.
/// </summary>
public static class ItemBodyParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = DataApiLimits.MaxRequestJsonDepth,
    };

    public static (ValidatedItemBody? Body, ProblemHttpResult? Problem) Parse(byte[] body)
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
            return (null, DataProblems.UnpairedSurrogate());
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
                return (null, DataProblems.UnpairedSurrogate());
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
                    return Invalid($"Unknown property '{DataProblems.Shorten(property.Name)}': only 'key' and 'value' are accepted.");
            }
        }

        if (key is null)
        {
            return Invalid("The property 'key' is required.");
        }
        if (ItemKey.Validate(key) is { } keyError)
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

    private static (ValidatedItemBody?, ProblemHttpResult?) Invalid(string detail) => (null, DataProblems.InvalidBody(detail));
}
