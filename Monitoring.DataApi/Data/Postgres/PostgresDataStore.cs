using Npgsql;

namespace Monitoring.DataApi.Data.Postgres;

/// <summary>
/// The store on a PostgreSQL server that several replicas share. Each operation is one statement on a connection rented
/// from the pooled <see cref="NpgsqlDataSource"/> that Aspire's client integration registers; every commit waits for its
/// WAL flush (<c>synchronous_commit=on</c>), so a 2xx is durable as with SQLite. PostgreSQL serialises the writes of one
/// key by its row lock; concurrent writers of different keys commit in parallel and share WAL flushes (the server's own
/// group commit), so no writer queue is needed here.
/// </summary>
/// <remarks>
/// Keys are <c>text COLLATE "C"</c>: compared and ordered by their UTF-8 bytes, as SQLite's BINARY collation does, so
/// pages and cursors are the same on both stores. Values are the minified UTF-8 JSON as given, kept as text (not jsonb,
/// which would reorder keys and respell numbers) and read back as its UTF-8 bytes.
/// </remarks>
public sealed partial class PostgresDataStore(NpgsqlDataSource dataSource, ILogger<PostgresDataStore> logger) : IDataStore
{
    /// <summary>The advisory lock every replica takes around creating the schema, so that concurrent starts do not race.</summary>
    private const long SchemaLockId = 0x4D6F6E69746F7231; // "Monitor1"

    private static readonly string SchemaSql = $"""
        SELECT pg_advisory_xact_lock({SchemaLockId});
        CREATE TABLE IF NOT EXISTS items (
            key        text COLLATE "C" NOT NULL PRIMARY KEY,
            value      text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS readiness_probe (
            id        integer NOT NULL PRIMARY KEY CHECK (id = 1),
            probed_at timestamptz NOT NULL
        );
        """;

    // One clock reading for both timestamps of a new item, so createdAt == updatedAt as with SQLite; updated_at never goes
    // below the stored one, so it never decreases even when clocks disagree. xmax = 0 only on the row version an INSERT
    // made: it tells created from replaced exactly, also when concurrent writers of one new key wait on each other.
    private const string UpsertSql = """
        INSERT INTO items AS item (key, value, created_at, updated_at)
        SELECT $1, convert_from($2, 'UTF8'), now.at, now.at FROM (SELECT clock_timestamp() AS at) AS now
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = greatest(excluded.updated_at, item.updated_at)
        RETURNING created_at, updated_at, (xmax = 0) AS created
        """;

    private const string Columns = "key, convert_to(value, 'UTF8'), created_at, updated_at";
    private const string GetSql = $"SELECT {Columns} FROM items WHERE key = $1";
    // One row more than asked tells whether a next page exists.
    private const string FirstPageSql = $"SELECT {Columns} FROM items ORDER BY key LIMIT $1";
    private const string NextPageSql = $"SELECT {Columns} FROM items WHERE key > $2 ORDER BY key LIMIT $1";
    private const string DeleteSql = "DELETE FROM items WHERE key = $1";
    private const string ProbeSql = "INSERT INTO readiness_probe (id, probed_at) VALUES (1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";

    /// <summary>
    /// What the store needs of every connection, whatever the connection string says: commits that wait for the WAL
    /// flush. Called by Aspire's <c>AddNpgsqlDataSource</c> before the data source is built. The pool is named after the
    /// connection string's name, which labels Npgsql's metrics (by default they carry the connection string).
    /// </summary>
    public static void Configure(NpgsqlDataSourceBuilder builder)
    {
        builder.Name = DataStoreOptions.ConnectionStringName;
        var options = builder.ConnectionStringBuilder.Options;
        builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options)
            ? "-c synchronous_commit=on"
            : options + " -c synchronous_commit=on";
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => RunAsync(async (connection, token) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(SchemaSql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }
        await transaction.CommitAsync(token).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(UpsertSql, connection) { Parameters = { new() { Value = key }, new() { Value = valueJson } } };
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        await reader.ReadAsync(token).ConfigureAwait(false);
        var item = new StoredItem(key, valueJson, reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
        return new UpsertResult(item, Created: reader.GetBoolean(2));
    }, cancellationToken);

    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken) => await RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(GetSql, connection) { Parameters = { new() { Value = key } } };
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        return await reader.ReadAsync(token).ConfigureAwait(false) ? ReadItem(reader) : null;
    }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken) => await RunAsync(async (connection, token) =>
    {
        // The page is read whole and the connection given back before the caller writes it to a possibly slow client.
        await using var command = new NpgsqlCommand(after is null ? FirstPageSql : NextPageSql, connection) { Parameters = { new() { Value = limit + 1 } } };
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

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(DeleteSql, connection) { Parameters = { new() { Value = key } } };
        return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) > 0;
    }, cancellationToken);

    public Task ProbeWritableAsync(CancellationToken cancellationToken) => RunAsync(async (connection, token) =>
    {
        await using var command = new NpgsqlCommand(ProbeSql, connection);
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <summary>
    /// Runs the operation on a pooled connection. A fault of the server or of the way to it (refused, reset, shut down,
    /// out of connections) becomes <see cref="DataStoreUnavailableException"/> (503 with Retry-After); when the
    /// connection itself failed the pool is cleared, so that the idle connections to a server that went away are not
    /// tried one request at a time and the next request connects afresh: the store recovers by itself.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await operation(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException exception) when (IsStoreFault(exception) && !cancellationToken.IsCancellationRequested)
        {
            if (IsConnectionFault(exception))
            {
                // The message only: whoever catches the exception logs it whole (the fault handler, the health check) or
                // turns it into the one line of a failed start.
                LogPoolCleared(logger, exception.Message);
                dataSource.Clear();
            }
            throw new DataStoreUnavailableException($"The PostgreSQL store failed: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Every failure except those of the statement itself (data exceptions, class 22; constraint violations, 23; syntax
    /// and access rules, 42), which are bugs and stay 500s.
    /// </summary>
    private static bool IsStoreFault(NpgsqlException exception) =>
        exception is not PostgresException { SqlState: var state } || !(state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("42", StringComparison.Ordinal));

    /// <summary>No answer from the server (refused, reset, timed out), or the server ending the session (class 08, 57P).</summary>
    private static bool IsConnectionFault(NpgsqlException exception) => exception is not PostgresException { SqlState: var state }
        || state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal);

    private static StoredItem ReadItem(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetFieldValue<byte[]>(1),
        reader.GetFieldValue<DateTimeOffset>(2),
        reader.GetFieldValue<DateTimeOffset>(3));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A connection to the PostgreSQL store failed ({Reason}); the connection pool is cleared")]
    private static partial void LogPoolCleared(ILogger logger, string reason);
}
