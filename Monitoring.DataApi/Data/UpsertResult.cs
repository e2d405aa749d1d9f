namespace Monitoring.DataApi.Data;

/// <summary>The outcome of a create-or-replace: the item as stored, and whether the key was new.</summary>
public sealed record UpsertResult(StoredItem Item, bool Created);
