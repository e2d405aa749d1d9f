using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Monitoring.AppHost;

/// <summary>
/// Every resource of the application and its wiring, top to bottom: the DataApi and its store, Prometheus scraping
/// each of its replicas and sending its alerts to Alertmanager, Grafana reading Prometheus. <c>AppHost.cs</c> runs it; the model tests build it without running anything.
/// </summary>
public static class AppModel
{
    /// <summary>The DataApi gets its port through its own PORT variable; the scrape-target writer reads each replica's port there.</summary>
    private const string DataApiPortVariable = "PORT";

    /// <exception cref="AppHostSettingException">A setting has a bad value, or what it asks for cannot run here.</exception>
    public static void AddResources(IDistributedApplicationBuilder builder)
    {
        // Monitoring:Store (SQLite or Postgres) and Monitoring:Replicas (1 to 16), checked before anything is added.
        var settings = DataApiSettings.Read(builder.Configuration);

        // Docker or Podman answering: Prometheus and Grafana run as containers. Neither: Prometheus runs from the
        // local binary when it is installed, and Grafana is left out. One line at start says which, and what to install.
        var stack = StackModeSelector.Select(builder.Configuration);
        var remoteWriteUrl = PrometheusRemoteWrite.Read(builder.Configuration);
        builder.LogStackOnStart(stack);

        var dataApi = builder.AddProject<Projects.Monitoring_DataApi>("dataapi")
            .WithHttpEndpoint(env: DataApiPortVariable)
            .WithHttpHealthCheck("/health/ready")
            .WithUrlForEndpoint("http", url => url.DisplayText = "DataApi")
            .WithReplicas(settings.Replicas);
        if (builder.Configuration["Monitoring:DataPath"] is { Length: > 0 } dataPath)
        {
            dataApi.WithEnvironment("DATA_PATH", dataPath);
        }
        IResourceBuilder<ParameterResource>? apiKey = null;
        if (builder.Configuration.GetValue<bool>("Monitoring:RequireApiKey"))
        {
            apiKey = builder.AddParameter("dataapi-api-key",
                new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
            dataApi.WithEnvironment("API_KEY", apiKey);
        }
        if (builder.Environment.IsDevelopment())
        {
            // The dashboard's "Generate traffic" and "Inject errors" commands, and the DataApi's fault switch they use.
            dataApi.WithDrills(DataApiPortVariable, apiKey);
        }

        if (settings.Store == DataStore.Postgres)
        {
            // One PostgreSQL that every replica shares: a pinned container, or without containers Debian's binaries
            // in a folder of this run. The DataApi gets ConnectionStrings__data by reference and starts once it answers.
            var postgresPassword = builder.AddParameter("postgres-password",
                new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
            IResourceBuilder<IResourceWithConnectionString> data;
            if (stack.Mode == StackMode.Containers)
            {
                data = builder.AddPostgresContainer("postgres", postgresPassword);
                builder.LogOnStart(logger => StackLog.LogPostgresContainer(logger, PostgresResourceBuilderExtensions.ImageTag));
            }
            else
            {
                var binaries = PostgresResourceBuilderExtensions.FindBinaries(builder.Configuration[PostgresResourceBuilderExtensions.BinSettingName])
                    ?? throw new AppHostSettingException(StackLog.PostgresMissing(stack.Reason, builder.Configuration[PostgresResourceBuilderExtensions.BinSettingName]));
                var runDirectory = RunDirectories.Create("postgres");
                data = builder.AddPostgresExecutable("postgres", binaries, runDirectory, postgresPassword);
                builder.LogOnStart(logger => StackLog.LogLocalPostgres(logger, binaries, runDirectory));
            }
            dataApi.WithReference(data, PostgresResourceBuilderExtensions.DatabaseName).WaitFor(data);
        }

        if (stack.RunsPrometheus)
        {
            // Side jobs for Prometheus: a folder of this AppHost run's own in the temporary directory (for the local
            // binary, also its configuration copy and data), and a background service that keeps targets/dataapi.json
            // there equal to the running DataApi replicas (Prometheus's file-based discovery).
            var prometheusRunDirectory = RunDirectories.Create("prometheus");
            var scrapeTargetsDirectory = Path.Combine(prometheusRunDirectory, "targets");
            builder.AddScrapeTargetsWriter(dataApi, DataApiPortVariable, stack.HostNameSeenFromPrometheus, scrapeTargetsDirectory);

            // The repository's prometheus/, or with Monitoring:RemoteWriteUrl a copy whose prometheus.yml also sends every sample there.
            var prometheusConfigDirectory = builder.PrometheusConfigDirectory("../prometheus", prometheusRunDirectory, remoteWriteUrl, stack);

            IResourceBuilder<IResourceWithEndpoints> prometheus = stack.Mode == StackMode.Containers
                ? builder.AddPrometheusContainer("prometheus", prometheusConfigDirectory, scrapeTargetsDirectory, stack.ContainerRuntime)
                    .WaitFor(dataApi)
                : builder.AddPrometheusExecutable("prometheus", stack.LocalPrometheus, prometheusConfigDirectory, prometheusRunDirectory)
                    .WaitFor(dataApi);

            // Alertmanager, where the alerts that fire go: alertmanager/alertmanager.yml with the webhook of
            // Monitoring:AlertWebhookUrl (a secret parameter; unset, alerts stay in Alertmanager's UI). Prometheus finds it
            // through alertmanagers/alertmanager.json, written from the address Aspire resolves for Prometheus.
            if (stack.RunsAlertmanager)
            {
                var alertmanager = builder.AddAlertmanager("alertmanager", "../alertmanager/alertmanager.yml", stack);
                prometheus.WithAlertmanager(alertmanager, Path.Combine(prometheusRunDirectory, "alertmanagers"));
            }
            else
            {
                builder.LogOnStart(logger => StackLog.LogAlertmanagerMissing(
                    logger, stack.Reason, stack.LocalAlertmanager, AlertmanagerResourceBuilderExtensions.InstallAlertmanager));
            }

            if (stack.RunsGrafana)
            {
                var grafanaPassword = builder.AddParameter("grafana-admin-password",
                    new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
                builder.AddGrafana("grafana", "../grafana", grafanaPassword)
                    .WithEnvironment(GrafanaResourceBuilderExtensions.PrometheusUrlVariable, prometheus.GetEndpoint("http"))
                    // The browser follows an exemplar's link, so the dashboard's address as the browser knows it.
                    .WithEnvironment(GrafanaResourceBuilderExtensions.AspireDashboardUrlVariable, AspireDashboardUrl.Read(builder.Configuration) ?? string.Empty)
                    .WaitFor(prometheus);
            }
        }
    }
}
