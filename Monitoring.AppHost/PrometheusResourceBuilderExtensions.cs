using Microsoft.Extensions.DependencyInjection;

namespace Monitoring.AppHost;

public static class PrometheusResourceBuilderExtensions
{
    public const string Image = "prom/prometheus";
    public const string ImageTag = "v3.5.0";
    public const string ContainerConfigDirectory = "/etc/prometheus";
    public const string HealthPath = "/-/ready";

    /// <summary>
    /// Prometheus with the configuration, rules and scrape targets of <paramref name="configDirectory"/>, as a
    /// container or, without a container runtime, as the local <c>prometheus</c> executable. The targets of
    /// <paramref name="scraped"/> are written from the app model (see <see cref="ScrapeTargetsWriter"/>).
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints> AddPrometheus(
        this IDistributedApplicationBuilder builder,
        string name,
        string configDirectory,
        IResourceBuilder<ProjectResource> scraped,
        string scrapedPortVariable,
        StackSelection stack)
    {
        var configPath = Path.GetFullPath(configDirectory, builder.AppHostDirectory);
        // Per AppHost run: targets (and, for the local process, its copy of the configuration and its data).
        var runDirectory = RunDirectories.Create(name);
        var targetsDirectory = Path.Combine(runDirectory, "targets");

        var onHost = stack.Mode == StackMode.LocalProcesses;
        builder.Services.AddSingleton(new ScrapeTargetsOptions(
            scraped.Resource.Name, scrapedPortVariable, onHost ? "localhost" : stack.ContainerHostName, targetsDirectory));
        builder.Services.AddHostedService<ScrapeTargetsWriter>();

        return onHost
            ? builder.AddLocalPrometheus(name, configPath, runDirectory).WithPrometheusDefaults(scraped)
            : builder.AddPrometheusContainer(name, configPath, targetsDirectory, stack).WithPrometheusDefaults(scraped);
    }

    private static IResourceBuilder<T> WithPrometheusDefaults<T>(this IResourceBuilder<T> prometheus, IResourceBuilder<ProjectResource> scraped)
        where T : IResourceWithEndpoints, IResourceWithWaitSupport =>
        prometheus
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Prometheus")
            .WaitFor(scraped);

    private static IResourceBuilder<ContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, string name, string configPath, string targetsDirectory, StackSelection stack)
    {
        Directory.CreateDirectory(targetsDirectory);
        var container = builder.AddContainer(name, Image, ImageTag);
        container
            .WithBindMount(configPath, ContainerConfigDirectory, isReadOnly: true)
            .WithBindMount(targetsDirectory, $"{ContainerConfigDirectory}/targets", isReadOnly: true)
            // Named after this AppHost (its project path), so that two clones never share one TSDB.
            .WithVolume(VolumeNameGenerator.Generate(container, "data"), "/prometheus")
            .WithHttpEndpoint(targetPort: 9090, name: "http")
            .WithArgs(
                $"--config.file={ContainerConfigDirectory}/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--web.enable-lifecycle");

        if (stack.ContainerRuntime == "docker" && OperatingSystem.IsLinux())
        {
            // Docker Desktop knows host.docker.internal; Docker Engine on Linux learns it here.
            container.WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
        }
        return container;
    }

    private static IResourceBuilder<ExecutableResource> AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, string name, string configPath, string runDirectory)
    {
        // The same files, copied beside this run's targets folder so that the relative paths in prometheus.yml
        // (rule_files, file_sd_configs) resolve as they do in the container.
        Directory.CreateDirectory(runDirectory);
        foreach (var file in Directory.EnumerateFiles(configPath, "*.yml"))
        {
            File.Copy(file, Path.Combine(runDirectory, Path.GetFileName(file)), overwrite: true);
        }

        var executable = builder.AddExecutable(name, builder.Configuration["Monitoring:PrometheusPath"] ?? "prometheus", runDirectory)
            .WithHttpEndpoint(name: "http");
        var endpoint = executable.GetEndpoint("http");
        return executable.WithArgs(context =>
        {
            context.Args.Add($"--config.file={Path.Combine(runDirectory, "prometheus.yml")}");
            context.Args.Add($"--storage.tsdb.path={Path.Combine(runDirectory, "data")}");
            context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
            context.Args.Add("--web.enable-lifecycle");
        });
    }
}
