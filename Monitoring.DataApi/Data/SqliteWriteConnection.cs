using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

/// <summary>
/// The writer's own connection: <c>synchronous=FULL</c>, so a commit returns only once its WAL frames are fsynced
/// (FsyncContractTests), and every statement prepared once and run again with new parameter values.
/// </summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    public const int LockTimeoutSeconds = 5;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _probe;

    private SqliteWriteConnection(SqliteConnection connection)
    {
        _connection = connection;
        _begin = connection.Prepare("BEGIN IMMEDIATE");
        _commit = connection.Prepare("COMMIT");
        _rollback = connection.Prepare("ROLLBACK");
        // One statement creates or replaces. updated_at never goes below the stored one, so createdAt <= updatedAt holds
        // and updatedAt never decreases even when the clock stepped back between two runs of the service.
        _upsert = connection.Prepare("""
            INSERT INTO items (key, value, created_at, updated_at) VALUES ($key, CAST($value AS TEXT), $now, $now)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = max(excluded.updated_at, items.updated_at)
            RETURNING created_at, updated_at
            """, "$key", "$value", "$now");
        _delete = connection.Prepare("DELETE FROM items WHERE key = $key", "$key");
        _probe = connection.Prepare("INSERT INTO readiness_probe (id, probed_at) VALUES (1, $now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at", "$now");
        foreach (var command in new[] { _begin, _commit, _rollback, _upsert, _delete, _probe })
        {
            // How long a statement waits for a lock another process holds before it fails as a store fault (503): writes
            // queue behind it, so seconds, not the provider's 30.
            command.CommandTimeout = LockTimeoutSeconds;
        }
    }

    /// <summary>Opens the connection, creating the schema when it is missing.</summary>
    public static SqliteWriteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
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
                """);
            return new SqliteWriteConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>
    /// Rolls back what the failed transaction left, if anything: SQLite rolls a transaction back by itself after some
    /// errors (a full disk, an I/O error), and then there is nothing left to roll back.
    /// </summary>
    public void RollBackIfOpen()
    {
        if (_connection.State == System.Data.ConnectionState.Open)
        {
            try
            {
                _rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // No transaction was open.
            }
        }
    }

    public WriteOutcome Apply(PendingWrite write, DateTimeOffset now) => write.Kind switch
    {
        WriteKind.Upsert => Upsert(write.Key, write.ValueJson!, now),
        WriteKind.Delete => new WriteOutcome(null, Created: false, Deleted: Delete(write.Key)),
        _ => Probe(now),
    };

    private WriteOutcome Upsert(string key, byte[] valueJson, DateTimeOffset now)
    {
        var stamp = SqliteTimestamp.Format(now);
        _upsert.Parameters[0].Value = key;
        _upsert.Parameters[1].Value = valueJson;
        _upsert.Parameters[2].Value = stamp;
        using var reader = _upsert.ExecuteReader();
        reader.Read();
        var createdAt = reader.GetString(0);
        var updatedAt = reader.GetString(1);
        // The writer's clock only moves forward, so an item created before this write cannot carry its timestamp.
        var created = string.Equals(createdAt, stamp, StringComparison.Ordinal);
        var item = new StoredItem(key, valueJson, SqliteTimestamp.Parse(createdAt), SqliteTimestamp.Parse(updatedAt));
        return new WriteOutcome(item, created, Deleted: false);
    }

    private bool Delete(string key)
    {
        _delete.Parameters[0].Value = key;
        return _delete.ExecuteNonQuery() > 0;
    }

    private WriteOutcome Probe(DateTimeOffset now)
    {
        _probe.Parameters[0].Value = SqliteTimestamp.Format(now);
        _probe.ExecuteNonQuery();
        return default;
    }

    public void Dispose() => _connection.Dispose();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
