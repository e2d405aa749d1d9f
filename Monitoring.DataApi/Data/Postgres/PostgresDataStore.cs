using Microsoft.Extensions.Options;
using Npgsql;

namespace Monitoring.DataApi.Data.Postgres;

/// <summary>
/// The store on a PostgreSQL server that several replicas share. Writes go through this replica's
/// <see cref="PostgresWriter"/>, which sends those that queue together as one batch with one commit; reads are one
/// statement each on a pooled connection. Every commit waits for its WAL flush (<c>synchronous_commit=on</c>), so a 2xx
/// is durable as with SQLite. PostgreSQL serialises the writes of one key, from any replica, by its row lock.
/// </summary>
public sealed class PostgresDataStore(NpgsqlDataSource dataSource, IOptions<DataStoreOptions> options, ILogger<PostgresDataStore> logger)
    : IDataStore, IAsyncDisposable, IDisposable
{
    private readonly PostgresConnections _connections = new(dataSource, logger);
    private PostgresWriter? _writer;

    /// <summary>
    /// What the store needs of every connection, whatever the connection string says: commits that wait for the WAL
    /// flush. Called by Aspire's <c>AddNpgsqlDataSource</c> before the data source is built. The pool is named after the
    /// connection string's name, which labels Npgsql's metrics (by default they carry the connection string).
    /// </summary>
    /// <remarks>
    /// The store's few statements are prepared on each connection once used twice (the server parses and plans them
    /// once, not per request; <c>Max Auto Prepare</c> in the connection string overrides how many), and a connection
    /// given back to the pool is not reset with <c>DISCARD ALL</c>: the store sets no session state, and the reset would
    /// cost a round trip and drop those prepared statements.
    /// </remarks>
    public static void Configure(NpgsqlDataSourceBuilder builder)
    {
        builder.Name = DataStoreOptions.ConnectionStringName;
        var settings = builder.ConnectionStringBuilder;
        settings.Options = string.IsNullOrWhiteSpace(settings.Options)
            ? "-c synchronous_commit=on"
            : settings.Options + " -c synchronous_commit=on";
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = PostgresStatements.PreparedPerConnection;
        }
        settings.NoResetOnClose = true;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _connections.RunAsync(async (connection, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand(PostgresStatements.Schema, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }
            await transaction.CommitAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _writer = new PostgresWriter(_connections, options.Value.WriteQueueLimit, logger);
    }

    public async Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken)
    {
        var outcome = await Writer.WriteAsync(WriteKind.Upsert, key, valueJson, cancellationToken).ConfigureAwait(false);
        return new UpsertResult(outcome.Item!, outcome.Created);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        (await Writer.WriteAsync(WriteKind.Delete, key, valueJson: null, cancellationToken).ConfigureAwait(false)).Deleted;

    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken) => await _connections.RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(PostgresStatements.Get, connection) { Parameters = { new() { Value = key } } };
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        return await reader.ReadAsync(token).ConfigureAwait(false) ? ReadItem(reader) : null;
    }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken) => await _connections.RunAsync(async (connection, token) =>
    {
        // The page is read whole and the connection given back before the caller writes it to a possibly slow client.
        await using var command = new NpgsqlCommand(after is null ? PostgresStatements.FirstPage : PostgresStatements.NextPage, connection)
        {
            Parameters = { new() { Value = limit + 1 } },
        };
        if (after is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after });
        }
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        var page = new StoredPageBuilder(limit, valueBudgetBytes);
        while (await reader.ReadAsync(token).ConfigureAwait(false))
        {
            if (!page.TryAdd(ReadItem(reader)))
            {
                break;
            }
        }
        return page.Build();
    }, cancellationToken).ConfigureAwait(false);

    /// <summary>A write of its own, not through the writer: readiness asks whether the database itself takes writes.</summary>
    public Task ProbeWritableAsync(CancellationToken cancellationToken) => _connections.RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(PostgresStatements.Probe, connection);
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <summary>Commits the writes still queued.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private PostgresWriter Writer => _writer ?? throw new InvalidOperationException("The data store has not been initialized.");

    private static StoredItem ReadItem(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetFieldValue<byte[]>(1),
        reader.GetFieldValue<DateTimeOffset>(2),
        reader.GetFieldValue<DateTimeOffset>(3));
}
