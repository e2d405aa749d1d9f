using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>
/// SQLite in WAL mode. Writes go through one <see cref="SqliteWriter"/> (group commit, <c>synchronous=FULL</c>: any
/// write answered 2xx survives a kill -9 of the process and a power cut, as far as the drive honours the flush); reads
/// run on <see cref="SqliteReadConnections"/> beside it.
/// </summary>
public sealed class SqliteDataStore(
    DataStoreLocation location,
    DataStoreDiskSpace diskSpace,
    IOptions<DataStoreOptions> options,
    TimeProvider timeProvider,
    ILogger<SqliteDataStore> logger) : IDataStore, IAsyncDisposable, IDisposable
{
    // The store keeps its connections open for its lifetime; a pool would only hold them once more.
    private readonly string _connectionString = new SqliteConnectionStringBuilder(location.ConnectionString) { Pooling = false }.ToString();
    private SqliteWriter? _writer;
    private SqliteReadConnections? _readers;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(location.Directory);
        var connection = SqliteWriteConnection.Open(_connectionString);
        _writer = new SqliteWriter(connection, _connectionString, options.Value.WriteQueueLimit, diskSpace, timeProvider, logger);
        _readers = new SqliteReadConnections(_connectionString);
        return Task.CompletedTask;
    }

    public async Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken)
    {
        var outcome = await Writer.WriteAsync(WriteKind.Upsert, key, valueJson, cancellationToken).ConfigureAwait(false);
        return new UpsertResult(outcome.Item!, outcome.Created);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        (await Writer.WriteAsync(WriteKind.Delete, key, valueJson: null, cancellationToken).ConfigureAwait(false)).Deleted;

    public Task ProbeWritableAsync(CancellationToken cancellationToken) =>
        Writer.WriteAsync(WriteKind.Probe, string.Empty, valueJson: null, cancellationToken);

    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var readers = Readers;
        var connection = await readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var item = connection.Get(key);
            healthy = true;
            return item;
        }
        finally
        {
            readers.Return(connection, healthy);
        }
    }

    public async ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken)
    {
        // The page is read whole and the connection given back before the caller writes it: a read that waited on a slow
        // client would hold its snapshot of the database open and stop WAL checkpoints for as long as it lasts.
        var readers = Readers;
        var connection = await readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var page = connection.List(after, limit, valueBudgetBytes);
            healthy = true;
            return page;
        }
        finally
        {
            readers.Return(connection, healthy);
        }
    }

    /// <summary>Commits the writes still queued, then closes every connection; the last to close checkpoints the WAL.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        _readers?.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private SqliteWriter Writer => _writer ?? throw NotInitialized();

    private SqliteReadConnections Readers => _readers ?? throw NotInitialized();

    private static InvalidOperationException NotInitialized() => new($"{nameof(InitializeAsync)} must run before the store is used.");
}
