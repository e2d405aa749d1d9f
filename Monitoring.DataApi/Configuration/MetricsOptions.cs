using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

public sealed class MetricsOptions
{
    public const double MinIntervalSeconds = 0.1;
    public const double MaxIntervalSeconds = 3600;

    /// <summary>Seconds between two samples of the process_* metrics.</summary>
    [ConfigurationKeyName("METRICS_COLLECTION_INTERVAL")]
    public double CollectionIntervalSeconds { get; set; } = 5;

    /// <summary>When false, no process_* metric is declared at all.</summary>
    [ConfigurationKeyName("ENABLE_SYSTEM_METRICS")]
    public bool EnableSystemMetrics { get; set; } = true;

    public TimeSpan CollectionInterval => TimeSpan.FromSeconds(CollectionIntervalSeconds);
}

public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        options.CollectionIntervalSeconds is >= MetricsOptions.MinIntervalSeconds and <= MetricsOptions.MaxIntervalSeconds
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"METRICS_COLLECTION_INTERVAL must be a number of seconds from {MetricsOptions.MinIntervalSeconds} to {MetricsOptions.MaxIntervalSeconds} (got {options.CollectionIntervalSeconds}).");
}
