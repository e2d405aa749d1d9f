namespace Monitoring.DataApi.Data;

/// <summary>
/// Durable key/value storage of JSON values. A write completes only once it is on disk; values are the UTF-8 JSON the
/// caller validated and minified, and they come back byte for byte.
/// </summary>
public interface IDataStore
{
    /// <summary>Creates the schema if needed. Called once at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces the item. Writes are applied in the order they arrive, and each gets its timestamp when it is
    /// applied, so for one key <c>updatedAt</c> never decreases and the item stored is the last one acknowledged.
    /// </summary>
    Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken);

    ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> items whose key sorts after <paramref name="after"/>, in key order, whose values
    /// total at most <paramref name="valueBudgetBytes"/> bytes of stored JSON. The first item is always included, whatever
    /// its size, so that paging moves on; the page has a next cursor whenever an item follows it.
    /// </summary>
    ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Proves that the store is open and accepts writes; throws when it does not.</summary>
    Task ProbeWritableAsync(CancellationToken cancellationToken);
}
