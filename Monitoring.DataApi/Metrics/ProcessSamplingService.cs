using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Samples the process every METRICS_COLLECTION_INTERVAL seconds while system metrics are enabled. A failed sample
/// leaves the previous one reported and the next tick tries again: the metrics are never worth stopping the service
/// for. The first failure of a run of them is logged as a warning and the recovery once, not every tick.
/// </summary>
public sealed partial class ProcessSamplingService(
    ProcessSampler sampler, IOptions<ProcessMetricsOptions> options, TimeProvider timeProvider, ILogger<ProcessSamplingService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EnableSystemMetrics)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CollectionInterval, timeProvider);
        var failedSamples = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                sampler.Sample();
            }
            // Whatever stops one sample, the next tick tries again.
            catch (Exception exception)
            {
                if (failedSamples++ == 0)
                {
                    LogSamplingFailed(logger, exception, sampler.Latest.SampledAt);
                }
                continue;
            }
            if (failedSamples > 0)
            {
                LogSamplingRecovered(logger, failedSamples);
                failedSamples = 0;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sampling the process failed; the process_* metrics keep the sample of {SampledAt:O} until a sample succeeds")]
    private static partial void LogSamplingFailed(ILogger logger, Exception exception, DateTimeOffset sampledAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling the process succeeded again after {FailedSamples} failed samples")]
    private static partial void LogSamplingRecovered(ILogger logger, int failedSamples);
}
