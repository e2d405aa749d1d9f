using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitoring.Peers;

/// <summary>
/// <c>GET /data/{key}</c> answered from memory: the seeded key gets the item, any other key the DataApi's 404 problem.
/// </summary>
internal static class BenchRoute
{
    public const string Key = "bench";

    public static IEndpointRouteBuilder MapBenchRoute(this IEndpointRouteBuilder routes, string valueJson)
    {
        using var value = JsonDocument.Parse(valueJson);
        var now = DateTimeOffset.UtcNow;
        var item = new BenchItem(Key, value.RootElement.Clone(), now, now);

        routes.MapGet("/data/{key}", Results<Ok<BenchItem>, ProblemHttpResult> (string key) =>
            key == Key
                ? TypedResults.Ok(item)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Item not found", detail: "No item has this key."));
        routes.MapGet("/health/ready", () => TypedResults.Ok());
        return routes;
    }
}
