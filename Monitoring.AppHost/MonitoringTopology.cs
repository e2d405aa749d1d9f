using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

public static class MonitoringTopology
{
    /// <summary>The variable through which the AppHost gives each DataApi replica its port (the DataApi's own PORT).</summary>
    public const string DataApiPortVariable = "PORT";

    /// <summary>
    /// The whole topology: the DataApi; Prometheus scraping every DataApi replica; Grafana on Prometheus. Without a
    /// container runtime Prometheus runs from the local binary and Grafana is left out (see <see cref="StackModeSelector"/>).
    /// </summary>
    public static StackSelection AddMonitoringStack(this IDistributedApplicationBuilder builder)
    {
        var stack = StackModeSelector.Select(builder.Configuration);

        var dataApi = builder.AddProject<Projects.Monitoring_DataApi>("dataapi")
            .WithHttpEndpoint(env: DataApiPortVariable)
            .WithHttpHealthCheck("/health/ready")
            .WithUrlForEndpoint("http", url => url.DisplayText = "DataApi");
        if (builder.Configuration["Monitoring:DataPath"] is { Length: > 0 } dataPath)
        {
            dataApi.WithEnvironment("DATA_PATH", dataPath);
        }
        if (builder.Configuration.GetValue<bool>("Monitoring:RequireApiKey"))
        {
            var apiKey = builder.AddParameter("dataapi-api-key",
                new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
            dataApi.WithEnvironment("API_KEY", apiKey);
        }

        var prometheus = builder.AddPrometheus("prometheus", "../prometheus", scraped: dataApi, DataApiPortVariable, stack);

        if (stack.Mode == StackMode.Containers)
        {
            var grafanaPassword = builder.AddParameter("grafana-admin-password",
                new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
            builder.AddGrafana("grafana", "../grafana", prometheus, grafanaPassword);
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.AppHost").LogStack(stack);
            return Task.CompletedTask;
        });
        return stack;
    }
}
