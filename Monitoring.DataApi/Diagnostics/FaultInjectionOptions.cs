using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Diagnostics;

/// <summary><c>FAULT_INJECTION_ENABLED</c>: lets a request choose its own error status (<see cref="FaultInjectionMiddleware"/>).</summary>
public sealed class FaultInjectionOptions : IStartupOptions<FaultInjectionOptions>
{
    public static void BindFrom(IConfiguration configuration, FaultInjectionOptions options) => configuration.Bind(options);

    public const string Setting = "FAULT_INJECTION_ENABLED";

    [ConfigurationKeyName(Setting)]
    public bool Enabled { get; set; }
}

/// <summary>Refuses the switch in Production, where any client could mint 5xx and page someone.</summary>
public sealed class FaultInjectionOptionsValidator(IHostEnvironment environment) : IValidateOptions<FaultInjectionOptions>
{
    public ValidateOptionsResult Validate(string? name, FaultInjectionOptions options) =>
        options.Enabled && environment.IsProduction()
            ? ValidateOptionsResult.Fail($"{FaultInjectionOptions.Setting} must not be true in Production: it lets any client choose the status of its response.")
            : ValidateOptionsResult.Success;
}
