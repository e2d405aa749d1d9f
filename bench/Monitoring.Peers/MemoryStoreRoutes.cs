using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitoring.Peers;

/// <summary>
/// The DataApi's <c>GET /data/{key}</c> and <c>POST /data</c> answered from memory (a <see cref="ConcurrentDictionary{TKey,TValue}"/>,
/// nothing durable): the data-path benchmark's ceiling. The same bodies and statuses as the DataApi: the item JSON,
/// 201 with Location for a new key, 200 for a replace, the 404 problem for a missing key, 400 and 415 problems for a
/// body that is not a JSON object with a non-empty string <c>key</c> and a <c>value</c>.
/// </summary>
internal static class MemoryStoreRoutes
{
    public static IEndpointRouteBuilder MapMemoryStoreRoutes(this IEndpointRouteBuilder routes)
    {
        var items = new ConcurrentDictionary<string, BenchItem>(StringComparer.Ordinal);

        routes.MapGet("/data/{key}", Results<Ok<BenchItem>, ProblemHttpResult> (string key) =>
            items.TryGetValue(key, out var item)
                ? TypedResults.Ok(item)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Item not found", detail: "No item has this key."));

        routes.MapPost("/data", async Task<Results<Created<BenchItem>, Ok<BenchItem>, ProblemHttpResult>> (HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!request.HasJsonContentType())
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                    detail: "The body must be JSON sent with Content-Type: application/json.");
            }
            WriteBody? body;
            try
            {
                body = await request.ReadFromJsonAsync<WriteBody>(cancellationToken);
            }
            catch (JsonException)
            {
                body = null;
            }
            if (body is not { Key: { Length: > 0 } key } || body.Value.ValueKind == JsonValueKind.Undefined)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body",
                    detail: "The body must be a JSON object with a non-empty string 'key' and a 'value'.");
            }

            var now = DateTimeOffset.UtcNow;
            while (true)
            {
                if (items.TryGetValue(key, out var existing))
                {
                    var replaced = existing with { Value = body.Value, UpdatedAt = now };
                    if (items.TryUpdate(key, replaced, existing))
                    {
                        return TypedResults.Ok(replaced);
                    }
                }
                else
                {
                    var added = new BenchItem(key, body.Value, now, now);
                    if (items.TryAdd(key, added))
                    {
                        return TypedResults.Created("/data/" + Uri.EscapeDataString(key), added);
                    }
                }
            }
        });

        routes.MapGet("/health/ready", () => TypedResults.Ok());
        return routes;
    }

    private sealed record WriteBody(string? Key, JsonElement Value);
}
