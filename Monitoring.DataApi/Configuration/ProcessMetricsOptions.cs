using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

/// <summary>The process_* metrics: whether they are declared and how often the process is sampled for them.</summary>
public sealed class ProcessMetricsOptions : IStartupOptions<ProcessMetricsOptions>
{
    public static void BindFrom(IConfiguration configuration, ProcessMetricsOptions options) => configuration.Bind(options);

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

public sealed class ProcessMetricsOptionsValidator : IValidateOptions<ProcessMetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessMetricsOptions options) =>
        options.CollectionIntervalSeconds is >= ProcessMetricsOptions.MinIntervalSeconds and <= ProcessMetricsOptions.MaxIntervalSeconds
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"METRICS_COLLECTION_INTERVAL must be a number of seconds from {ProcessMetricsOptions.MinIntervalSeconds} to {ProcessMetricsOptions.MaxIntervalSeconds} (got {options.CollectionIntervalSeconds}).");
}
