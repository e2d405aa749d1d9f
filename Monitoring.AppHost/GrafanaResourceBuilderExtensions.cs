namespace Monitoring.AppHost;

public static class GrafanaResourceBuilderExtensions
{
    public const string Image = "grafana/grafana";
    public const string ImageTag = "12.1.0";
    public const string DashboardsDirectory = "/var/lib/grafana/dashboards";
    public const string HealthPath = "/api/health";

    /// <summary>
    /// Grafana with the provisioning of <paramref name="configDirectory"/> (the Prometheus datasource, whose URL is
    /// Prometheus's endpoint as seen from the container network, and the dashboards), anonymous viewers and the
    /// overview as home dashboard.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddGrafana(
        this IDistributedApplicationBuilder builder,
        string name,
        string configDirectory,
        IResourceBuilder<IResourceWithEndpoints> prometheus,
        IResourceBuilder<ParameterResource> adminPassword)
    {
        var configPath = Path.GetFullPath(configDirectory, builder.AppHostDirectory);
        return builder.AddContainer(name, Image, ImageTag)
            .WithBindMount(Path.Combine(configPath, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(configPath, "dashboards"), DashboardsDirectory, isReadOnly: true)
            .WithHttpEndpoint(targetPort: 3000, name: "http")
            .WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint("http"))
            .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", adminPassword)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", $"{DashboardsDirectory}/monitoring-overview.json")
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Grafana")
            .WaitFor(prometheus);
    }
}
