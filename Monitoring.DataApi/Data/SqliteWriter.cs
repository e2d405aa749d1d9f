using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

/// <summary>
/// The one writer of the database, on its own thread. Writes queue for it; each commit takes every write that queued
/// while the previous commit was being fsynced, so concurrent writers share one transaction and one fsync (group
/// commit), and each request is answered only once the commit that holds it is durable. Writes are applied in the order
/// they arrived and stamped with the writer's clock as they are applied.
/// </summary>
internal sealed partial class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<PendingWrite> _queue;
    private readonly int _capacity;
    private readonly string _connectionString;
    private readonly DataStoreDiskSpace _diskSpace;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PendingWrite> _batch = [];
    private readonly List<WriteOutcome> _outcomes = [];
    private SqliteWriteConnection? _connection;
    private long _lastTicks;
    private bool _closing;
    private bool _begun;

    public SqliteWriter(SqliteWriteConnection connection, string connectionString, int capacity, DataStoreDiskSpace diskSpace, TimeProvider timeProvider, ILogger logger)
    {
        _connection = connection;
        _connectionString = connectionString;
        _capacity = capacity;
        _diskSpace = diskSpace;
        _timeProvider = timeProvider;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            // A write only wakes the writer, which waits on its own thread: no hop through the thread pool.
            AllowSynchronousContinuations = true,
        });
        var thread = new Thread(Run) { IsBackground = true, Name = "SQLite writer" };
        thread.Start();
    }

    /// <summary>Queues the write and waits for the commit that makes it durable.</summary>
    /// <exception cref="WriteQueueFullException">The queue holds as many writes as it may.</exception>
    public Task<WriteOutcome> WriteAsync(WriteKind kind, string key, byte[]? valueJson, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(kind, key, valueJson, cancellationToken);
        if (!_queue.Writer.TryWrite(write))
        {
            throw Volatile.Read(ref _closing)
                ? new DataStoreUnavailableException("The data store is shutting down.")
                : new WriteQueueFullException(_capacity);
        }
        return write.Task;
    }

    /// <summary>Takes no more writes, commits those queued, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closing, true);
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_batch.Count < _capacity && _queue.Reader.TryRead(out var write))
                {
                    if (!write.TryDropCancelled())
                    {
                        _batch.Add(write);
                    }
                }
                try
                {
                    CommitBatch();
                }
                catch (Exception exception)
                {
                    // Whatever went wrong, every write taken from the queue gets an answer and the writer goes on.
                    _batch.ForEach(write => write.TrySetException(exception));
                }
                _batch.Clear();
            }
        }
        finally
        {
            // Only reached at shutdown; should the loop ever end otherwise, no write is left waiting for an answer.
            _queue.Writer.TryComplete();
            var stopped = new DataStoreUnavailableException("The data store's writer has stopped.");
            _batch.ForEach(write => write.TrySetException(stopped));
            while (_queue.Reader.TryRead(out var write))
            {
                write.TrySetException(stopped);
            }
            _connection?.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void CommitBatch()
    {
        RefuseWritesThatNeedRoom();
        if (_batch.Count == 0)
        {
            return;
        }
        try
        {
            Commit(_batch);
            for (var i = 0; i < _batch.Count; i++)
            {
                _batch[i].TrySetResult(_outcomes[i]);
            }
            return;
        }
        catch (Exception exception) when (_batch.Count == 1 || !_begun || FailsEveryWrite(exception))
        {
            _batch.ForEach(write => Fail(write, exception));
            return;
        }
        catch (Exception exception)
        {
            LogBatchFailed(_logger, exception, _batch.Count);
        }

        // One write that cannot be stored (a value the full disk has no room for) must not fail the others that shared
        // its transaction: each gets its own transaction and its own outcome.
        foreach (var write in _batch)
        {
            if (write.TryDropCancelled())
            {
                continue;
            }
            try
            {
                Commit([write]);
                write.TrySetResult(_outcomes[0]);
            }
            catch (Exception exception)
            {
                Fail(write, exception);
            }
        }
    }

    /// <summary>
    /// Below the free-space floor, upserts and probes fail with 503 before they touch the file; deletes go on, since
    /// they are how space is freed.
    /// </summary>
    private void RefuseWritesThatNeedRoom()
    {
        if (_batch.TrueForAll(write => write.Kind == WriteKind.Delete) || _diskSpace.HasHeadroom())
        {
            return;
        }
        _batch.RemoveAll(write =>
        {
            if (write.Kind == WriteKind.Delete)
            {
                return false;
            }
            write.TrySetException(_diskSpace.NoHeadroom());
            return true;
        });
    }

    /// <summary>Applies the writes in one transaction and returns once it is committed and durable.</summary>
    private void Commit(List<PendingWrite> writes)
    {
        _outcomes.Clear();
        _begun = false;
        var connection = _connection ??= SqliteWriteConnection.Open(_connectionString);
        connection.Begin();
        _begun = true;
        try
        {
            foreach (var write in writes)
            {
                _outcomes.Add(connection.Apply(write, NextTimestamp()));
            }
            connection.Commit();
        }
        catch
        {
            connection.RollBackIfOpen();
            throw;
        }
    }

    /// <summary>
    /// Faults that no write of the batch would escape on its own: the database locked by another process, a file that
    /// cannot be opened or written. Retrying each write alone would only repeat them, each after its own wait.
    /// </summary>
    private static bool FailsEveryWrite(Exception exception) =>
        exception is SqliteException
        {
            SqliteErrorCode: DataStoreFaultHandler.SqliteBusy or DataStoreFaultHandler.SqliteLocked
                or DataStoreFaultHandler.SqliteReadOnly or DataStoreFaultHandler.SqliteCannotOpen,
        };

    private void Fail(PendingWrite write, Exception exception)
    {
        write.TrySetException(exception);
        // The connection may be what failed (a file replaced or made read-only, an I/O error): the next commit opens a
        // fresh one, so the store recovers by itself once the cause is gone.
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>
    /// The writer's clock: the system's, but always at least one tick past the last timestamp it gave, so that writes
    /// are stamped in the order they are applied even when the system clock stands still or steps back.
    /// </summary>
    private DateTimeOffset NextTimestamp()
    {
        _lastTicks = Math.Max(_timeProvider.GetUtcNow().UtcTicks, _lastTicks + 1);
        return new DateTimeOffset(_lastTicks, TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A commit of {Count} writes failed; committing them one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
