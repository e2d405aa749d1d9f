using Microsoft.Extensions.DependencyInjection;

namespace Monitoring.AppHost;

/// <summary>
/// Alertmanager, where Prometheus sends the alerts that fire: a pinned container, or without a container runtime the
/// local binary (Debian's <c>prometheus-alertmanager</c>). Either runs the configuration <see cref="AlertmanagerConfig"/>
/// writes into a folder of this AppHost run as Alertmanager starts, and answers readiness on <see cref="HealthPath"/>.
/// </summary>
public static class AlertmanagerResourceBuilderExtensions
{
    public const string Image = "prom/alertmanager";
    public const string ImageTag = "v0.28.1";
    public const string ContainerConfigDirectory = "/etc/alertmanager";
    public const string ContainerDataDirectory = "/alertmanager";
    public const string HealthPath = "/-/ready";
    public const string ConfigFileName = "alertmanager.yml";

    /// <summary>Where notifications go: a webhook URL, held as the secret parameter <see cref="WebhookUrlParameterName"/>.</summary>
    public const string WebhookUrlSettingName = "Monitoring:AlertWebhookUrl";

    public const string WebhookUrlParameterName = "alert-webhook-url";

    public const string InstallAlertmanager = "sudo apt-get install prometheus-alertmanager";

    /// <summary>
    /// Alertmanager as <paramref name="stack"/> says (container or local binary) with the configuration of
    /// <paramref name="templatePath"/>, relative to the AppHost's folder, and the webhook of <see cref="WebhookUrlSettingName"/>
    /// when it is set; one start-up line says how it runs and where alerts go.
    /// </summary>
    /// <exception cref="AppHostSettingException">The webhook URL is not an absolute http or https URL.</exception>
    public static IResourceBuilder<IResourceWithEndpoints> AddAlertmanager(
        this IDistributedApplicationBuilder builder, string name, string templatePath, StackSelection stack)
    {
        IResourceBuilder<ParameterResource>? webhookUrl = null;
        if (builder.Configuration[WebhookUrlSettingName] is { Length: > 0 } url)
        {
            if (!AlertmanagerConfig.IsWebhookUrl(url))
            {
                // The value is not repeated: a webhook URL often holds a token.
                throw new AppHostSettingException($"{WebhookUrlSettingName} must be an absolute http:// or https:// URL (the value is a secret and not shown).");
            }
            webhookUrl = builder.AddParameterFromConfiguration(WebhookUrlParameterName, WebhookUrlSettingName, secret: true);
        }
        var receiver = webhookUrl is null
            ? $"Alertmanager's UI only ({WebhookUrlSettingName} is not set)"
            : $"the webhook of {WebhookUrlSettingName}";

        var runDirectory = RunDirectories.Create("alertmanager");
        var configDirectory = Path.Combine(runDirectory, "config");
        IResourceBuilder<IResourceWithEndpoints> alertmanager;
        if (stack.Mode == StackMode.Containers)
        {
            alertmanager = builder.AddAlertmanagerContainer(name, configDirectory);
            builder.LogOnStart(logger => StackLog.LogAlertmanagerContainer(logger, ImageTag, receiver));
        }
        else
        {
            alertmanager = builder.AddAlertmanagerExecutable(name, stack.LocalAlertmanager, runDirectory, configDirectory);
            builder.LogOnStart(logger => StackLog.LogLocalAlertmanager(logger, stack.LocalAlertmanager, runDirectory, receiver));
        }
        return alertmanager.WithEffectiveConfig(Path.GetFullPath(templatePath, builder.AppHostDirectory), configDirectory, webhookUrl);
    }

    /// <summary>
    /// The <c>prom/alertmanager</c> container: <paramref name="configDirectory"/> (the effective configuration)
    /// bind-mounted read-only, its silences and notification log in a named volume, clustering off.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddAlertmanagerContainer(
        this IDistributedApplicationBuilder builder, string name, string configDirectory)
    {
        var container = builder.AddContainer(name, Image, ImageTag);
        return container
            .WithBindMount(configDirectory, ContainerConfigDirectory, isReadOnly: true)
            // Named after this AppHost (its project path), so that two clones never share silences.
            .WithVolume(VolumeNameGenerator.Generate(container, "data"), ContainerDataDirectory)
            .WithHttpEndpoint(targetPort: 9093, name: "http")
            .WithArgs(
                $"--config.file={ContainerConfigDirectory}/{ConfigFileName}",
                $"--storage.path={ContainerDataDirectory}",
                // One Alertmanager, no peers: no gossip port.
                "--cluster.listen-address=")
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Alertmanager");
    }

    /// <summary>
    /// The local <paramref name="binary"/>, listening on 127.0.0.1 on the port Aspire allocates, its configuration read
    /// from <paramref name="configDirectory"/> and its data in the <c>data</c> folder of <paramref name="runDirectory"/>.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddAlertmanagerExecutable(
        this IDistributedApplicationBuilder builder, string name, string binary, string runDirectory, string configDirectory)
    {
        var dataDirectory = Path.Combine(runDirectory, "data");
        Directory.CreateDirectory(dataDirectory);
        var executable = builder.AddExecutable(name, binary, runDirectory)
            .WithHttpEndpoint(name: "http");
        var endpoint = executable.GetEndpoint("http");
        return executable
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={Path.Combine(configDirectory, ConfigFileName)}");
                context.Args.Add($"--storage.path={dataDirectory}");
                context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
                // The links in notifications (externalURL) lead to the address the dashboard shows.
                context.Args.Add(ReferenceExpression.Create($"--web.external-url={endpoint}"));
                // One Alertmanager, no peers: no gossip port (9094 on every interface otherwise).
                context.Args.Add("--cluster.listen-address=");
            })
            .WithHttpHealthCheck(HealthPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Alertmanager");
    }

    /// <summary>
    /// Writes <c><paramref name="configDirectory"/>/alertmanager.yml</c> from <paramref name="templatePath"/> and the
    /// value of <paramref name="webhookUrl"/> (<see cref="AlertmanagerConfig.Render"/>) each time before Alertmanager
    /// starts, so that a changed parameter takes effect with a restart from the dashboard.
    /// </summary>
    public static IResourceBuilder<T> WithEffectiveConfig<T>(
        this IResourceBuilder<T> alertmanager, string templatePath, string configDirectory, IResourceBuilder<ParameterResource>? webhookUrl)
        where T : IResource
    {
        Directory.CreateDirectory(configDirectory);
        if (webhookUrl is not null)
        {
            alertmanager.WithReferenceRelationship(webhookUrl.Resource);
        }
        alertmanager.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(alertmanager.Resource, async (_, cancellationToken) =>
        {
            var url = webhookUrl is null ? null : await webhookUrl.Resource.GetValueAsync(cancellationToken);
            var config = AlertmanagerConfig.Render(await File.ReadAllTextAsync(templatePath, cancellationToken), url);
            var path = Path.Combine(configDirectory, ConfigFileName);
            await File.WriteAllTextAsync(path + ".tmp", config, cancellationToken);
            File.Move(path + ".tmp", path, overwrite: true);
        });
        return alertmanager;
    }

    /// <summary>
    /// Points <paramref name="prometheus"/>'s alerting at <paramref name="alertmanager"/>: Aspire resolves the
    /// Alertmanager's address as Prometheus reaches it (the container network, or localhost) into
    /// <see cref="AlertmanagersFileWriter.AddressVariable"/>, and the AppHost copies it into
    /// <c><paramref name="alertmanagersDirectory"/>/alertmanager.json</c>, which prometheus.yml's <c>alerting</c> section
    /// reads (file-based discovery, <c>alertmanagers/*.json</c>). Prometheus does not wait for Alertmanager: it scrapes and
    /// evaluates without one, and sends the alerts still firing once it answers.
    /// </summary>
    public static IResourceBuilder<T> WithAlertmanager<T>(
        this IResourceBuilder<T> prometheus, IResourceBuilder<IResourceWithEndpoints> alertmanager, string alertmanagersDirectory)
        where T : IResource
    {
        Directory.CreateDirectory(alertmanagersDirectory);
        if (prometheus.Resource is ContainerResource)
        {
            prometheus.WithAnnotation(new ContainerMountAnnotation(
                alertmanagersDirectory, $"{PrometheusResourceBuilderExtensions.ContainerConfigDirectory}/alertmanagers", ContainerMountType.BindMount, isReadOnly: true));
        }
        var address = alertmanager.GetEndpoint("http").Property(EndpointProperty.HostAndPort);
        prometheus
            .WithAnnotation(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables[AlertmanagersFileWriter.AddressVariable] = address))
            .WithReferenceRelationship(alertmanager.Resource);
        prometheus.ApplicationBuilder.Services.AddSingleton(new AlertmanagersFileOptions(prometheus.Resource.Name, alertmanagersDirectory));
        prometheus.ApplicationBuilder.Services.AddHostedService<AlertmanagersFileWriter>();
        return prometheus;
    }
}
