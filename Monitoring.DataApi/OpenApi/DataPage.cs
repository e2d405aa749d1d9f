using Monitoring.DataApi.Data;

namespace Monitoring.DataApi.OpenApi;

/// <summary>
/// The OpenAPI schema of the body of <c>GET /data</c>: one page of items in key order and the cursor of the next page,
/// null on the last page. Documentation only, never built: <see cref="Endpoints.DataPageResult"/> writes the body from a
/// <see cref="StoredPage"/>.
/// </summary>
public sealed record DataPage(IReadOnlyList<DataItem> Items, string? NextCursor);
