namespace Monitoring.DataApi.Data;

/// <summary>Durable key/value storage of JSON values. Every completed write is on disk.</summary>
public interface IDataStore
{
    /// <summary>Creates the schema if needed. Called once at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<UpsertResult> UpsertAsync(string key, string valueJson, CancellationToken cancellationToken);

    Task<DataItem?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> items whose key sorts after <paramref name="after"/>, in key order, whose values
    /// total at most <paramref name="valueBudgetBytes"/> bytes of stored JSON. The first item is always included, whatever
    /// its size, so that paging moves on; the page has a next cursor whenever an item follows it.
    /// </summary>
    Task<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Proves that the store is open and accepts writes; throws when it does not.</summary>
    Task ProbeWritableAsync(CancellationToken cancellationToken);
}
