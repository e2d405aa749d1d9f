namespace Monitoring.DataApi.Data;

internal enum WriteKind
{
    Upsert,
    Delete,
    Probe,
}

/// <summary>What a write did: the item stored and whether it was new (upserts), or whether an item was deleted.</summary>
internal readonly record struct WriteOutcome(StoredItem? Item, bool Created, bool Deleted);

/// <summary>
/// A write waiting for the writer, and the task its request awaits. Continuations run on the thread pool, never on the
/// writer's thread, so that no request's work holds up the next commit.
/// </summary>
internal sealed class PendingWrite(WriteKind kind, string key, byte[]? valueJson, CancellationToken cancellationToken)
    : TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public WriteKind Kind => kind;

    public string Key => key;

    public byte[]? ValueJson => valueJson;

    /// <summary>
    /// Drops the write when its request was cancelled (the client went away) before the writer reached it: it is never
    /// applied, so nothing claims it was stored.
    /// </summary>
    public bool TryDropCancelled() => cancellationToken.IsCancellationRequested && TrySetCanceled(cancellationToken);
}
