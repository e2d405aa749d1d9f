using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

/// <summary>
/// SQLite in WAL mode with <c>synchronous=FULL</c>: a transaction is acknowledged only after its WAL frames are
/// fsynced (FsyncContractTests), so any write the API answered with 2xx survives a kill -9 of the process and a
/// power cut, as far as the drive honours the flush.
/// </summary>
public sealed class SqliteDataStore(DataStoreLocation location, DataStoreDiskSpace diskSpace, TimeProvider timeProvider) : IDataStore, IDisposable
{
    private const string Columns = "key, value, created_at, updated_at";

    private readonly string _connectionString = location.ConnectionString;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var dataSource = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS items (
                key        TEXT NOT NULL PRIMARY KEY,
                value      TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS readiness_probe (
                id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                probed_at  TEXT NOT NULL
            );
            """, cancellationToken);
    }

    public async Task<UpsertResult> UpsertAsync(string key, string valueJson, CancellationToken cancellationToken)
    {
        diskSpace.EnsureHeadroom();
        var now = Timestamp(timeProvider.GetUtcNow());
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        var existing = await connection.CreateCommand("SELECT created_at FROM items WHERE key = $key", transaction)
            .With("$key", key)
            .ExecuteScalarAsync(cancellationToken);
        var created = existing is null;

        var sql = created
            ? "INSERT INTO items (key, value, created_at, updated_at) VALUES ($key, $value, $now, $now)"
            : "UPDATE items SET value = $value, updated_at = $now WHERE key = $key";
        await connection.CreateCommand(sql, transaction)
            .With("$key", key).With("$value", valueJson).With("$now", now)
            .ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var createdAt = created ? now : (string)existing!;
        return new UpsertResult(ToItem(key, valueJson, createdAt, now), created);
    }

    public async Task<DataItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await connection.CreateCommand($"SELECT {Columns} FROM items WHERE key = $key")
            .With("$key", key)
            .ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadItem(reader) : null;
    }

    public async Task<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken)
    {
        // The page is read whole and the connection closed before the caller writes it: a read that waited on a slow
        // client would hold its snapshot of the database open and stop WAL checkpoints for as long as it lasts.
        await using var connection = await OpenAsync(cancellationToken);
        // One row more than asked tells whether a next page exists.
        await using var reader = await connection
            .CreateCommand($"SELECT {Columns} FROM items WHERE $after IS NULL OR key > $after ORDER BY key LIMIT $take")
            .With("$after", after).With("$take", limit + 1)
            .ExecuteReaderAsync(cancellationToken);

        var items = new List<StoredItem>(Math.Min(limit, 128));
        var valueBytes = 0L;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == limit)
            {
                return new StoredPage(items, items[^1].Key);
            }
            // The UTF-8 bytes SQLite holds for the TEXT value: no string (a 60 KB value would be a 120 KB string on the
            // large object heap), and no parsing.
            var value = reader.GetFieldValue<byte[]>(1);
            if (items.Count > 0 && valueBytes + value.Length > valueBudgetBytes)
            {
                return new StoredPage(items, items[^1].Key);
            }
            valueBytes += value.Length;
            items.Add(new StoredItem(reader.GetString(0), value, ParseTimestamp(reader.GetString(2)), ParseTimestamp(reader.GetString(3))));
        }
        return new StoredPage(items, NextCursor: null);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var deleted = await connection.CreateCommand("DELETE FROM items WHERE key = $key")
            .With("$key", key)
            .ExecuteNonQueryAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task ProbeWritableAsync(CancellationToken cancellationToken)
    {
        diskSpace.EnsureHeadroom();
        await using var connection = await OpenAsync(cancellationToken);
        await connection.CreateCommand("INSERT INTO readiness_probe (id, probed_at) VALUES (1, $now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at")
            .With("$now", Timestamp(timeProvider.GetUtcNow()))
            .ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Closes the pooled connections, which checkpoints the WAL and releases the file.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per connection, not persisted in the file: every commit waits for its fsync.
            await ExecuteAsync(connection, "PRAGMA synchronous = FULL;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DataItem ReadItem(SqliteDataReader reader) =>
        ToItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));

    private static DataItem ToItem(string key, string valueJson, string createdAt, string updatedAt) => new(
        key,
        JsonSerializer.Deserialize<JsonElement>(valueJson),
        ParseTimestamp(createdAt),
        ParseTimestamp(updatedAt));

    private static DateTimeOffset ParseTimestamp(string stored) =>
        DateTimeOffset.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static string Timestamp(DateTimeOffset instant) => instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
