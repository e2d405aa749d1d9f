using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.OpenApi;
using Monitoring.DataApi.Security;

namespace Monitoring.DataApi.Endpoints;

public static class DataEndpoints
{
    public static IEndpointRouteBuilder MapDataEndpoints(this IEndpointRouteBuilder routes)
    {
        // Full templates rather than a "/data" group: a group's root would be "/data/", and the template is the
        // endpoint label on every http_* metric.
        var data = routes.MapGroup(string.Empty).WithTags("Data");

        var upsert = data.MapPost("/data", CreateOrReplace).WithName("UpsertDataItem")
            .WithSummary("Create or replace an item")
            .WithDescription("201 with Location when the key is new, 200 when it replaces an item.")
            .Accepts<DataItemRequest>("application/json")
            .Produces<DataItem>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        data.MapGet("/data", List).WithName("ListDataItems").AllowHead()
            .WithSummary("List items in key order, a page at a time")
            .WithDescription($"A page holds at most 'limit' items and at most {DataApiLimits.PageValueBudgetBytes / (1024 * 1024)} MiB of values (as stored, "
                + "minified UTF-8): it ends early, with a nextCursor, before an item that would take it past, but always holds at least "
                + "one item. nextCursor is null only on the last page.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        data.MapGet("/data/{key}", Get).WithName("GetDataItem").AllowHead()
            .WithSummary("Read an item")
            .WithDescription("The key is percent-encoded UTF-8 in the path, as in the Location header of its creation.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        var delete = data.MapDelete("/data/{key}", Delete).WithName("DeleteDataItem")
            .WithSummary("Delete an item")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        if (routes.ServiceProvider.GetRequiredService<DataApiFeatures>().ApiKey)
        {
            upsert.RequireAuthorization(ApiKeySchemeOptions.WritePolicy).ProducesProblem(StatusCodes.Status401Unauthorized);
            delete.RequireAuthorization(ApiKeySchemeOptions.WritePolicy).ProducesProblem(StatusCodes.Status401Unauthorized);
        }

        return routes;
    }

    private static async Task<Results<DataItemResult, ProblemHttpResult>> CreateOrReplace(
        HttpRequest request, IDataStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await ItemBodyReader.ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var result = await store.UpsertAsync(body!.Key, body.ValueJson, cancellationToken);
        return result.Created
            ? DataItemResult.Created(result.Item, ItemLocation(result.Item.Key))
            : DataItemResult.Ok(result.Item);
    }

    private static async Task<Results<DataPageResult, ProblemHttpResult>> List(
        [Description("Items per page, 1 to 1000 (default 100).")] string? limit,
        [Description("The nextCursor of the previous page.")] string? after,
        HttpRequest request,
        IDataStore store,
        CancellationToken cancellationToken)
    {
        if (QueryParameters.FirstRepeated(request.Query) is { } repeated)
        {
            return DataProblems.InvalidQuery($"'{repeated}' must be given at most once.");
        }
        var pageSize = DataApiLimits.DefaultPageSize;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > DataApiLimits.MaxPageSize))
        {
            return DataProblems.InvalidQuery($"'limit' must be an integer from 1 to {DataApiLimits.MaxPageSize}.");
        }
        if (after is not null && ItemKey.Validate(after) is not null)
        {
            return DataProblems.InvalidQuery("'after' must be a key returned as 'nextCursor' by the previous page.");
        }

        return new DataPageResult(await store.ListAsync(after, pageSize, DataApiLimits.PageValueBudgetBytes, cancellationToken));
    }

    private static async Task<Results<DataItemResult, ProblemHttpResult>> Get(
        [Description("The item's key, percent-encoded.")] string key, HttpContext context, IDataStore store, CancellationToken cancellationToken)
    {
        var (decoded, problem) = KeyFromPath(context, key);
        if (problem is not null)
        {
            return problem;
        }
        return await store.GetAsync(decoded!, cancellationToken) is { } item ? DataItemResult.Ok(item) : DataProblems.ItemNotFound();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        [Description("The item's key, percent-encoded.")] string key, HttpContext context, IDataStore store, CancellationToken cancellationToken)
    {
        var (decoded, problem) = KeyFromPath(context, key);
        if (problem is not null)
        {
            return problem;
        }
        return await store.DeleteAsync(decoded!, cancellationToken) ? TypedResults.NoContent() : DataProblems.ItemNotFound();
    }

    /// <summary>The key the path names, or a 400 when it names none or one that could never have been stored.</summary>
    private static (string? Key, ProblemHttpResult? Problem) KeyFromPath(HttpContext context, string routeValue)
    {
        var (key, error) = ItemKeyPath.Decode(context, routeValue);
        error ??= ItemKey.Validate(key);
        return error is null ? (key, null) : (null, DataProblems.InvalidKey(error));
    }

    private static string ItemLocation(string key) => "/data/" + Uri.EscapeDataString(key);
}
