using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Every problem the data endpoints answer with themselves, each with its status and title. Details say what the
/// client sent wrong and what is accepted; they never echo more than <see cref="Shorten"/> leaves of a client's name.
/// </summary>
public static class DataProblems
{
    private const int MaxEchoedNameLength = 64;

    public static ProblemHttpResult UnsupportedMediaType() => Problem(
        StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        "The body must be JSON sent with Content-Type: application/json.");

    public static ProblemHttpResult UnsupportedEncoding() => Problem(
        StatusCodes.Status415UnsupportedMediaType, "Unsupported content encoding",
        $"The body's Content-Encoding must be one of {ItemBodyReader.SupportedEncodings}, or none.");

    public static ProblemHttpResult BodyTooLarge() => Problem(
        StatusCodes.Status413PayloadTooLarge, "Request body too large",
        $"The body must be at most {DataApiLimits.MaxBodyBytes / (1024 * 1024)} MiB.");

    public static ProblemHttpResult InvalidBody(string detail) => Problem(
        StatusCodes.Status400BadRequest, "Invalid request body", detail);

    /// <summary>
    /// A \uD800-style escape of a lone surrogate: valid JSON syntax, but no text. Stored, it would become U+FFFD and
    /// collide with other keys and values.
    /// </summary>
    public static ProblemHttpResult UnpairedSurrogate() =>
        InvalidBody("The body contains an unpaired surrogate escape (such as \\uD800), which is not text.");

    public static ProblemHttpResult InvalidKey(string detail) => Problem(
        StatusCodes.Status400BadRequest, "Invalid key", detail);

    public static ProblemHttpResult InvalidQuery(string detail) => Problem(
        StatusCodes.Status400BadRequest, "Invalid query", detail);

    public static ProblemHttpResult ItemNotFound() => Problem(
        StatusCodes.Status404NotFound, "Item not found", "No item has this key.");

    /// <summary>A name the client sent (a property, a query parameter), cut to 64 characters for a problem's detail.</summary>
    public static string Shorten(string name) =>
        name.Length <= MaxEchoedNameLength ? name : string.Concat(name.AsSpan(0, MaxEchoedNameLength), "…");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
