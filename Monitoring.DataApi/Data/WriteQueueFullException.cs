namespace Monitoring.DataApi.Data;

/// <summary>
/// The writer's queue is full: writes arrive faster than the disk commits them. Answered like any store fault (503 with
/// Retry-After), so that clients back off instead of the queue, and the memory it holds, growing without bound.
/// </summary>
public sealed class WriteQueueFullException(int capacity)
    : DataStoreUnavailableException($"{capacity} writes are already waiting for the data store ({DataStoreOptions.WriteQueueLimitSetting}).");
