using System.Text.Json;

namespace Monitoring.DataApi.Data;

/// <summary>
/// An item as the API shows it: <see cref="Value"/> is any JSON value, kept exactly as it was written (minified). The
/// OpenAPI document describes responses with this type; they are written from a <see cref="StoredItem"/>.
/// </summary>
public sealed record DataItem(string Key, JsonElement Value, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// One page of items in key order and the cursor of the next page, null on the last page: the body of <c>GET /data</c>
/// as the OpenAPI document describes it. <see cref="Endpoints.DataPageResult"/> writes it from a <see cref="StoredPage"/>.
/// </summary>
public sealed record DataPage(IReadOnlyList<DataItem> Items, string? NextCursor);
