using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;

namespace Monitoring.DataApi.Metrics;

/// <summary>Samples the process every METRICS_COLLECTION_INTERVAL seconds while system metrics are enabled.</summary>
public sealed class ProcessSamplingService(ProcessSampler sampler, IOptions<MetricsOptions> options, TimeProvider timeProvider)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EnableSystemMetrics)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CollectionInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            sampler.Sample();
        }
    }
}
