using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.DataApi.Data;

/// <summary>Ready only when the store is open and a write goes through.</summary>
public sealed class DataStoreHealthCheck(IDataStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ProbeWritableAsync(cancellationToken);
            return HealthCheckResult.Healthy("The data store is open and writable.");
        }
        catch (WriteQueueFullException)
        {
            // Busy, not broken: still ready, so that a burst does not take the instance out of its load balancer and
            // push the burst onto the others.
            return HealthCheckResult.Degraded("The data store's write queue is full.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The description is public (it is in /health): the exception, which may name files, goes to the log only.
            return new HealthCheckResult(context.Registration.FailureStatus, "The data store is not writable.", exception);
        }
    }
}
