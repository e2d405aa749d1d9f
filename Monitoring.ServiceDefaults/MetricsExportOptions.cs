using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Monitoring.ServiceDefaults;

/// <summary>Whether the service exports metrics at all, and which clients may scrape them.</summary>
public sealed class MetricsExportOptions : IStartupOptions<MetricsExportOptions>
{
    public static void BindFrom(IConfiguration configuration, MetricsExportOptions options) => configuration.Bind(options);

    public const string ScrapePath = "/metrics";
    public const string EnabledSetting = "METRICS_ENABLED";
    public const string AllowedNetworksSetting = "METRICS_ALLOWED_NETWORKS";

    /// <summary>
    /// <c>METRICS_ENABLED=false</c> removes metrics altogether: no MeterProvider, no exporter, no <c>/metrics</c>. The
    /// benchmark's baseline; a service reads it too (<see cref="Get"/>) to drop its own recording.
    /// </summary>
    [ConfigurationKeyName(EnabledSetting)]
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>METRICS_ALLOWED_NETWORKS</c>: when set (for example <c>127.0.0.0/8,::1/128,10.0.0.0/8</c>), only clients from
    /// these networks may scrape; the others get a 403 problem. Unset, the endpoint is open, as Prometheus expects by
    /// default.
    /// </summary>
    [ConfigurationKeyName(AllowedNetworksSetting)]
    public string? AllowedNetworks { get; set; }

    /// <summary>The values the service defaults bound at start; every decision about metrics is made from these.</summary>
    public static MetricsExportOptions Get(IHostApplicationBuilder builder) =>
        builder.Properties.TryGetValue(typeof(MetricsExportOptions), out var options)
            ? (MetricsExportOptions)options
            : throw new InvalidOperationException("AddServiceDefaults must be called before the metrics export options are read.");
}

public sealed class MetricsExportOptionsValidator : IValidateOptions<MetricsExportOptions>
{
    // With metrics off there is no /metrics for the allow-list to guard, so it is not read.
    public ValidateOptionsResult Validate(string? name, MetricsExportOptions options) =>
        !options.Enabled || ScrapeAllowList.TryParse(options.AllowedNetworks, out _, out var badEntry)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{MetricsExportOptions.AllowedNetworksSetting} must be a comma-separated list of networks in CIDR notation such as 10.0.0.0/8 (got '{badEntry}').");
}
