namespace Monitoring.AppHost;

/// <summary>
/// Prometheus with the configuration and alert rules of the repository's <c>prometheus/</c> folder and the scrape
/// targets of a <see cref="ScrapeTargetsWriter"/> (<c>targets/*.json</c>, file-based discovery), either as a pinned
/// container or as the local <c>prometheus</c> binary. Both answer readiness on <see cref="HealthPath"/>.
/// </summary>
public static class PrometheusResourceBuilderExtensions
{
    public const string Image = "prom/prometheus";
    public const string ImageTag = "v3.5.0";
    public const string ContainerConfigDirectory = "/etc/prometheus";
    public const string HealthPath = "/-/ready";

    /// <summary>
    /// Keeps the exemplars a scrape carries (the DataApi's sampled traces on http_request_duration_seconds), for
    /// <c>/api/v1/query_exemplars</c> and Grafana's exemplar markers; with it Prometheus also asks targets for
    /// OpenMetrics, the only text format that has exemplars. Both forms of Prometheus get it.
    /// </summary>
    public const string ExemplarStorageFlag = "--enable-feature=exemplar-storage";

    /// <summary>
    /// The <c>prom/prometheus</c> container: <paramref name="configDirectory"/> and <paramref name="targetsDirectory"/>
    /// bind-mounted read-only, its TSDB in a named volume.
    /// </summary>
    /// <param name="containerRuntime">docker or podman: Docker Engine on Linux must be told host.docker.internal.</param>
    public static IResourceBuilder<ContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, string name, string configDirectory, string targetsDirectory, string? containerRuntime)
    {
        var container = builder.AddContainer(name, Image, ImageTag);
        container
            .WithBindMount(Path.GetFullPath(configDirectory, builder.AppHostDirectory), ContainerConfigDirectory, isReadOnly: true)
            .WithBindMount(targetsDirectory, $"{ContainerConfigDirectory}/targets", isReadOnly: true)
            // Named after this AppHost (its project path), so that two clones never share one TSDB.
            .WithVolume(VolumeNameGenerator.Generate(container, "data"), "/prometheus")
            .WithHttpEndpoint(targetPort: 9090, name: "http")
            .WithArgs(
                $"--config.file={ContainerConfigDirectory}/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--web.enable-lifecycle",
                ExemplarStorageFlag)
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Prometheus");

        if (containerRuntime == "docker" && OperatingSystem.IsLinux())
        {
            // Docker Desktop knows host.docker.internal; Docker Engine on Linux learns it here.
            container.WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
        }
        return container;
    }

    /// <summary>
    /// The local <paramref name="binary"/>, listening on 127.0.0.1, run in <paramref name="runDirectory"/>: the
    /// <c>*.yml</c> files of <paramref name="configDirectory"/> are copied there, beside the <c>targets</c> folder, so
    /// that the relative paths in prometheus.yml (rule_files, file_sd_configs) resolve as they do in the container;
    /// its TSDB is the <c>data</c> folder there.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddPrometheusExecutable(
        this IDistributedApplicationBuilder builder, string name, string binary, string configDirectory, string runDirectory)
    {
        foreach (var file in Directory.EnumerateFiles(Path.GetFullPath(configDirectory, builder.AppHostDirectory), "*.yml"))
        {
            File.Copy(file, Path.Combine(runDirectory, Path.GetFileName(file)), overwrite: true);
        }

        var executable = builder.AddExecutable(name, binary, runDirectory)
            .WithHttpEndpoint(name: "http");
        var endpoint = executable.GetEndpoint("http");
        return executable
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={Path.Combine(runDirectory, "prometheus.yml")}");
                context.Args.Add($"--storage.tsdb.path={Path.Combine(runDirectory, "data")}");
                context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("--web.enable-lifecycle");
                context.Args.Add(ExemplarStorageFlag);
            })
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Prometheus");
    }
}
