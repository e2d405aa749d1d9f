using System.Text.Json;
using Monitoring.DataApi.Data;

namespace Monitoring.DataApi.OpenApi;

/// <summary>
/// The OpenAPI schema of an item in a response; documentation only, never built. <see cref="Value"/> is any JSON value,
/// kept exactly as it was written (minified). Responses are written from a <see cref="StoredItem"/> by
/// <see cref="Endpoints.StoredItemJson"/>.
/// </summary>
public sealed record DataItem(string Key, JsonElement Value, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
