namespace Monitoring.DataApi.Data;

/// <summary>One page of stored items in key order and the cursor of the next page, null on the last page.</summary>
public sealed record StoredPage(IReadOnlyList<StoredItem> Items, string? NextCursor);
