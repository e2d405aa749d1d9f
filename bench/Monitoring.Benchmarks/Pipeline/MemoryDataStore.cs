using System.Collections.Concurrent;
using Monitoring.DataApi.Data;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>
/// The DataApi's store contract held in a dictionary: reads answer from memory, so that what the pipeline benchmark
/// compares is the HTTP path and its metrics, not storage.
/// </summary>
internal sealed class MemoryDataStore : IDataStore
{
    private readonly ConcurrentDictionary<string, StoredItem> _items = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var created = true;
        var stored = _items.AddOrUpdate(key,
            _ => new StoredItem(key, valueJson, now, now),
            (_, existing) =>
            {
                created = false;
                return existing with { ValueJson = valueJson, UpdatedAt = now };
            });
        return Task.FromResult(new UpsertResult(stored, created));
    }

    public ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_items.GetValueOrDefault(key));

    public ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The pipeline benchmark reads single items only.");

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => Task.FromResult(_items.TryRemove(key, out _));

    public Task ProbeWritableAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
