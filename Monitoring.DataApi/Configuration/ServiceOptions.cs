using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;

namespace Monitoring.DataApi.Configuration;

/// <summary>Identity of the service and where it listens when it runs on its own (the Python service's variables: APP_NAME, APP_VERSION, HOST, PORT).</summary>
public sealed class ServiceOptions : IStartupOptions<ServiceOptions>
{
    public static void BindFrom(IConfiguration configuration, ServiceOptions options) => configuration.Bind(options);

    [ConfigurationKeyName("APP_NAME")]
    public string Name { get; set; } = "monitoring-data-api";

    [ConfigurationKeyName("APP_VERSION")]
    public string Version { get; set; } = "1.0.0";

    [ConfigurationKeyName("HOST")]
    public string Host { get; set; } = "0.0.0.0";

    [ConfigurationKeyName("PORT")]
    public int Port { get; set; } = 8000;

    public bool ListensOnAllInterfaces => Host is "0.0.0.0" or "*" or "+";
}
