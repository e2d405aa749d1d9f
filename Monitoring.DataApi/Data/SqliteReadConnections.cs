using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

/// <summary>
/// Connections that only read, kept open with their statements prepared, so a read is a lookup and a copy: no open, no
/// statement compiled per request. In WAL mode they read a committed snapshot while the writer commits. At most
/// <see cref="MaxConnections"/> exist; a read beyond that waits for one to come back.
/// </summary>
internal sealed class SqliteReadConnections(string connectionString) : IDisposable
{
    /// <summary>Reads are CPU work on a cached page; more connections than a few per core only add memory (page caches).</summary>
    public static readonly int MaxConnections = Math.Max(4, 2 * Environment.ProcessorCount);

    private readonly ConcurrentQueue<SqliteReadConnection> _idle = new();
    private readonly SemaphoreSlim _available = new(MaxConnections, MaxConnections);
    private bool _disposed;

    public async ValueTask<SqliteReadConnection> RentAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_idle.TryDequeue(out var connection))
        {
            return connection;
        }
        try
        {
            return SqliteReadConnection.Open(connectionString);
        }
        catch
        {
            _available.Release();
            throw;
        }
    }

    /// <summary>
    /// Takes the connection back. One whose read failed is closed instead, since the failure may be the connection's
    /// (a file replaced underneath it), and the next read opens a fresh one.
    /// </summary>
    public void Return(SqliteReadConnection connection, bool healthy)
    {
        if (healthy && !Volatile.Read(ref _disposed))
        {
            _idle.Enqueue(connection);
            if (Volatile.Read(ref _disposed))
            {
                // Disposed meanwhile: close what it may have missed.
                CloseIdle();
            }
        }
        else
        {
            connection.Dispose();
        }
        _available.Release();
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        CloseIdle();
    }

    private void CloseIdle()
    {
        while (_idle.TryDequeue(out var connection))
        {
            connection.Dispose();
        }
    }
}

/// <summary>One read connection and its prepared statements.</summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private const string Columns = "key, value, created_at, updated_at";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _list;

    private SqliteReadConnection(SqliteConnection connection)
    {
        _connection = connection;
        _get = connection.Prepare($"SELECT {Columns} FROM items WHERE key = $key", "$key");
        // One row more than asked tells whether a next page exists.
        _list = connection.Prepare($"SELECT {Columns} FROM items WHERE $after IS NULL OR key > $after ORDER BY key LIMIT $take", "$after", "$take");
    }

    public static SqliteReadConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            return new SqliteReadConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public StoredItem? Get(string key)
    {
        _get.Parameters[0].Value = key;
        using var reader = _get.ExecuteReader();
        return reader.Read() ? ReadItem(reader) : null;
    }

    public StoredPage List(string? after, int limit, long valueBudgetBytes)
    {
        _list.Parameters[0].Value = (object?)after ?? DBNull.Value;
        _list.Parameters[1].Value = limit + 1;
        using var reader = _list.ExecuteReader();
        var page = new StoredPageBuilder(limit, valueBudgetBytes);
        while (reader.Read())
        {
            if (!page.TryAdd(ReadItem(reader)))
            {
                break;
            }
        }
        return page.Build();
    }

    public void Dispose() => _connection.Dispose();

    // The value as the UTF-8 bytes SQLite holds for the TEXT: no string (a 60 KB value would be a 120 KB string on the
    // large object heap), and no parsing.
    private static StoredItem ReadItem(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetFieldValue<byte[]>(1),
        SqliteTimestamp.Parse(reader.GetString(2)),
        SqliteTimestamp.Parse(reader.GetString(3)));
}
