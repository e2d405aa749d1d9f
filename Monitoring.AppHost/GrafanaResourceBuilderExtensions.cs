namespace Monitoring.AppHost;

public static class GrafanaResourceBuilderExtensions
{
    public const string Image = "grafana/grafana";
    public const string ImageTag = "12.1.0";
    public const string DashboardsDirectory = "/var/lib/grafana/dashboards";
    public const string HealthPath = "/api/health";

    /// <summary>The variable the datasource provisioning reads Prometheus's URL from.</summary>
    public const string PrometheusUrlVariable = "PROMETHEUS_URL";

    /// <summary>
    /// The variable the datasource provisioning reads the Aspire dashboard's address from: an exemplar's trace id
    /// links to that trace there (<c>exemplarTraceIdDestinations</c>).
    /// </summary>
    public const string AspireDashboardUrlVariable = "ASPIRE_DASHBOARD_URL";

    /// <summary>
    /// The <c>grafana/grafana</c> container with the provisioning of <paramref name="configDirectory"/> (the Prometheus
    /// datasource, whose URL it reads from <see cref="PrometheusUrlVariable"/>, and the dashboards), anonymous viewers
    /// and the overview as home dashboard.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddGrafana(
        this IDistributedApplicationBuilder builder,
        string name,
        string configDirectory,
        IResourceBuilder<ParameterResource> adminPassword)
    {
        var configPath = Path.GetFullPath(configDirectory, builder.AppHostDirectory);
        return builder.AddContainer(name, Image, ImageTag)
            .WithBindMount(Path.Combine(configPath, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(configPath, "dashboards"), DashboardsDirectory, isReadOnly: true)
            .WithHttpEndpoint(targetPort: 3000, name: "http")
            .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", adminPassword)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", $"{DashboardsDirectory}/monitoring-overview.json")
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Grafana");
    }
}
