namespace Monitoring.DataApi.Data;

/// <summary>
/// An item as the store holds it. <see cref="ValueJson"/> is the value's UTF-8 JSON exactly as it was stored (validated
/// and minified when it was written), so a response can copy it as it is instead of parsing it or holding it as text.
/// </summary>
public sealed record StoredItem(string Key, byte[] ValueJson, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The outcome of a create-or-replace: the item as stored, and whether the key was new.</summary>
public sealed record UpsertResult(StoredItem Item, bool Created);

/// <summary>One page of stored items in key order and the cursor of the next page, null on the last page.</summary>
public sealed record StoredPage(IReadOnlyList<StoredItem> Items, string? NextCursor);
