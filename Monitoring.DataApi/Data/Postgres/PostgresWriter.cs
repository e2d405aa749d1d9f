using System.Threading.Channels;
using Npgsql;

namespace Monitoring.DataApi.Data.Postgres;

/// <summary>
/// The writes of one replica, sent in batches: each round trip takes every write that queued while the previous one
/// was committing and sends them as one <see cref="NpgsqlBatch"/>, which PostgreSQL runs as one transaction with one
/// commit and one WAL flush (group commit, as the SQLite writer does). Each write is answered only once that commit is
/// durable. Concurrent writers then cost one round trip and one flush per batch instead of one each, and PostgreSQL
/// runs one backend for them instead of one per request.
/// </summary>
/// <remarks>
/// Within a batch the writes run in key order (writes of one key keep their order of arrival), so that batches of
/// several replicas take their row locks in the same order and never deadlock. A batch that fails for one write's sake
/// is retried one write at a time, so that the others are not failed with it; a fault of the database fails every write
/// of the batch with 503.
/// </remarks>
internal sealed partial class PostgresWriter : IAsyncDisposable
{
    /// <summary>Writes sent in one batch at most: enough to share a flush among many clients, small enough to keep one
    /// transaction short.</summary>
    private const int MaxBatch = 256;

    private readonly Channel<PendingWrite> _queue;
    private readonly int _capacity;
    private readonly PostgresConnections _connections;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private bool _closing;

    public PostgresWriter(PostgresConnections connections, int capacity, ILogger logger)
    {
        _connections = connections;
        _capacity = capacity;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _loop = Task.Run(RunAsync);
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

    /// <summary>Takes no more writes and commits those queued.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closing, true);
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
                {
                    if (!write.TryDropCancelled())
                    {
                        batch.Add(write);
                    }
                }
                try
                {
                    await CommitAsync(batch.OrderBy(write => write.Key, StringComparer.Ordinal).ToList()).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    // Whatever went wrong, every write taken from the queue gets an answer and the writer goes on.
                    batch.ForEach(write => write.TrySetException(exception));
                }
                batch.Clear();
            }
        }
        finally
        {
            // Only reached at shutdown; should the loop ever end otherwise, no write is left waiting for an answer.
            _queue.Writer.TryComplete();
            var stopped = new DataStoreUnavailableException("The data store's writer has stopped.");
            batch.ForEach(write => write.TrySetException(stopped));
            while (_queue.Reader.TryRead(out var write))
            {
                write.TrySetException(stopped);
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }
        try
        {
            Answer(writes, await _connections.RunAsync((connection, token) => ApplyAsync(connection, writes, token), CancellationToken.None).ConfigureAwait(false));
            return;
        }
        catch (Exception exception) when (writes.Count == 1 || exception is DataStoreUnavailableException)
        {
            writes.ForEach(write => write.TrySetException(exception));
            return;
        }
        catch (Exception exception)
        {
            LogBatchFailed(_logger, exception, writes.Count);
        }

        foreach (var write in writes)
        {
            if (write.TryDropCancelled())
            {
                continue;
            }
            try
            {
                Answer([write], await _connections.RunAsync((connection, token) => ApplyAsync(connection, [write], token), CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception exception)
            {
                write.TrySetException(exception);
            }
        }
    }

    private static void Answer(List<PendingWrite> writes, WriteOutcome[] outcomes)
    {
        for (var i = 0; i < writes.Count; i++)
        {
            writes[i].TrySetResult(outcomes[i]);
        }
    }

    /// <summary>Runs the writes as one batch and returns their outcomes once its commit is durable.</summary>
    private static async Task<WriteOutcome[]> ApplyAsync(NpgsqlConnection connection, List<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var write in writes)
        {
            batch.BatchCommands.Add(write.Kind == WriteKind.Upsert
                ? new NpgsqlBatchCommand(PostgresStatements.Upsert) { Parameters = { new() { Value = write.Key }, new() { Value = write.ValueJson } } }
                : new NpgsqlBatchCommand(PostgresStatements.Delete) { Parameters = { new() { Value = write.Key } } });
        }

        var outcomes = new WriteOutcome[writes.Count];
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            for (var i = 0; i < writes.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The batch returned {i} results for {writes.Count} writes.");
                }
                var found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                outcomes[i] = writes[i].Kind == WriteKind.Upsert
                    ? new WriteOutcome(
                        new StoredItem(writes[i].Key, writes[i].ValueJson!, reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1)),
                        Created: reader.GetBoolean(2),
                        Deleted: false)
                    : new WriteOutcome(Item: null, Created: false, Deleted: found);
            }
            // The results of the first statements arrive before the commit; the reader is read to its end, where the
            // server reports the commit, before any write is answered.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        return outcomes;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} writes failed; each is retried on its own")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
