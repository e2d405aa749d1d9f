using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

/// <summary>How many connections the server holds at once and how long it keeps an idle one open.</summary>
public sealed class ConnectionOptions : IStartupOptions<ConnectionOptions>
{
    public static void BindFrom(IConfiguration configuration, ConnectionOptions options) => configuration.Bind(options);

    public const string MaxConcurrentConnectionsSetting = "MAX_CONCURRENT_CONNECTIONS";
    public const string KeepAliveTimeoutSetting = "KEEP_ALIVE_TIMEOUT";
    public const double MinKeepAliveTimeoutSeconds = 1;
    public const double MaxKeepAliveTimeoutSeconds = 3600;

    /// <summary>Connections past this are closed as soon as they are accepted; 0 derives it from the open-file limit.</summary>
    [ConfigurationKeyName(MaxConcurrentConnectionsSetting)]
    public long MaxConcurrentConnections { get; set; }

    /// <summary>
    /// Seconds a connection may sit without a request (before its first one too) before the server closes it. Below
    /// Kestrel's 130 s so that idle clients give their descriptors back sooner; behind a proxy that reuses connections,
    /// keep it above the proxy's own idle timeout.
    /// </summary>
    [ConfigurationKeyName(KeepAliveTimeoutSetting)]
    public double KeepAliveTimeoutSeconds { get; set; } = 30;

    public TimeSpan KeepAliveTimeout => TimeSpan.FromSeconds(KeepAliveTimeoutSeconds);
}

public sealed class ConnectionOptionsValidator : IValidateOptions<ConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionOptions options)
    {
        var failures = new List<string>();
        if (options.MaxConcurrentConnections < 0)
        {
            failures.Add($"{ConnectionOptions.MaxConcurrentConnectionsSetting} must be 0 (derived from the open-file limit) or a positive number of connections (got {options.MaxConcurrentConnections}).");
        }
        if (options.KeepAliveTimeoutSeconds is not (>= ConnectionOptions.MinKeepAliveTimeoutSeconds and <= ConnectionOptions.MaxKeepAliveTimeoutSeconds))
        {
            failures.Add($"{ConnectionOptions.KeepAliveTimeoutSetting} must be a number of seconds from {ConnectionOptions.MinKeepAliveTimeoutSeconds} to {ConnectionOptions.MaxKeepAliveTimeoutSeconds} (got {options.KeepAliveTimeoutSeconds}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
