using Microsoft.Extensions.Configuration;

namespace Monitoring.AppHost;

/// <summary>
/// Every resource of the application and its wiring, top to bottom: the DataApi, Prometheus scraping each of its
/// replicas, Grafana reading Prometheus. <c>AppHost.cs</c> runs it; the model tests build it without running anything.
/// </summary>
public static class AppModel
{
    /// <summary>The DataApi gets its port through its own PORT variable; the scrape-target writer reads each replica's port there.</summary>
    private const string DataApiPortVariable = "PORT";

    public static void AddResources(IDistributedApplicationBuilder builder)
    {
        // Docker or Podman answering: Prometheus and Grafana run as containers. Neither: Prometheus runs from the
        // local binary when it is installed, and Grafana is left out. One line at start says which, and what to install.
        var stack = StackModeSelector.Select(builder.Configuration);
        builder.LogStackOnStart(stack);

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

        if (stack.RunsPrometheus)
        {
            // Side jobs for Prometheus: a folder of this AppHost run's own in the temporary directory (for the local
            // binary, also its configuration copy and data), and a background service that keeps targets/dataapi.json
            // there equal to the running DataApi replicas (Prometheus's file-based discovery).
            var prometheusRunDirectory = RunDirectories.Create("prometheus");
            var scrapeTargetsDirectory = Path.Combine(prometheusRunDirectory, "targets");
            builder.AddScrapeTargetsWriter(dataApi, DataApiPortVariable, stack.HostNameSeenFromPrometheus, scrapeTargetsDirectory);

            IResourceBuilder<IResourceWithEndpoints> prometheus = stack.Mode == StackMode.Containers
                ? builder.AddPrometheusContainer("prometheus", "../prometheus", scrapeTargetsDirectory, stack.ContainerRuntime)
                    .WaitFor(dataApi)
                : builder.AddPrometheusExecutable("prometheus", stack.LocalPrometheus, "../prometheus", prometheusRunDirectory)
                    .WaitFor(dataApi);

            if (stack.RunsGrafana)
            {
                var grafanaPassword = builder.AddParameter("grafana-admin-password",
                    new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
                builder.AddGrafana("grafana", "../grafana", grafanaPassword)
                    .WithEnvironment(GrafanaResourceBuilderExtensions.PrometheusUrlVariable, prometheus.GetEndpoint("http"))
                    .WaitFor(prometheus);
            }
        }
    }
}
