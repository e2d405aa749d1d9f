extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;
using AlertmanagerSettings = AppHost::Monitoring.AppHost.AlertmanagerResourceBuilderExtensions;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The AppHost's model, built from <c>AppModel</c> as the AppHost builds it but never started (nothing runs): what a machine with Docker or Podman would run, and
/// what one without them runs. Nothing here waits for a container runtime, so it runs everywhere.
/// </summary>
public sealed class AppModelTests(AppModelTests.Models models) : IClassFixture<AppModelTests.Models>
{
    [Fact]
    public void With_containers_Prometheus_is_a_pinned_container_with_read_only_config_a_data_volume_and_a_health_check()
    {
        var prometheus = Resource<ContainerResource>(models.Containers, "prometheus");

        AssertPinnedHealthCheckedContainer(prometheus, "prom/prometheus", @"^v\d+\.\d+\.\d+$", targetPort: 9090, waitsFor: "dataapi");

        var mounts = prometheus.Annotations.OfType<ContainerMountAnnotation>().ToList();
        var config = Assert.Single(mounts, mount => mount.Target == "/etc/prometheus");
        Assert.Equal(ContainerMountType.BindMount, config.Type);
        Assert.True(config.IsReadOnly);
        Assert.Equal(Path.Combine(RepositoryPaths.Root, "prometheus"), config.Source);
        var targets = Assert.Single(mounts, mount => mount.Target == "/etc/prometheus/targets");
        Assert.True(targets.IsReadOnly);
        Assert.True(Directory.Exists(targets.Source), $"the targets folder {targets.Source} does not exist");
        Assert.NotEqual(config.Source, Path.GetDirectoryName(targets.Source));
        var data = Assert.Single(mounts, mount => mount.Target == "/prometheus");
        Assert.Equal(ContainerMountType.Volume, data.Type);
        Assert.False(string.IsNullOrEmpty(data.Source));
    }

    [Fact]
    public async Task With_containers_Grafana_gets_its_datasource_from_the_Prometheus_endpoint_and_a_secret_password()
    {
        var app = models.Containers;
        var grafana = Resource<ContainerResource>(app, "grafana");

        AssertPinnedHealthCheckedContainer(grafana, "grafana/grafana", @"^\d+\.\d+\.\d+$", targetPort: 3000, waitsFor: "prometheus");

        var mounts = grafana.Annotations.OfType<ContainerMountAnnotation>().ToList();
        Assert.All(mounts, mount => Assert.True(mount.IsReadOnly));
        Assert.Contains(mounts, mount => mount.Target == "/etc/grafana/provisioning" && mount.Source == Path.Combine(RepositoryPaths.Root, "grafana", "provisioning"));
        Assert.Contains(mounts, mount => mount.Target == "/var/lib/grafana/dashboards" && mount.Source == Path.Combine(RepositoryPaths.Root, "grafana", "dashboards"));

        var environment = await EnvironmentAsync(app, grafana);
        var datasource = Assert.IsType<EndpointReference>(environment["PROMETHEUS_URL"]);
        Assert.Equal("prometheus", datasource.Resource.Name);
        Assert.Equal("http", datasource.EndpointName);
        var password = Assert.IsType<ParameterResource>(environment["GF_SECURITY_ADMIN_PASSWORD"]);
        Assert.True(password.Secret);
        Assert.Equal("true", environment["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.Equal("Viewer", environment["GF_AUTH_ANONYMOUS_ORG_ROLE"]);
        var home = (string)environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"];
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "grafana", "dashboards", Path.GetFileName(home))), home);
    }

    [Fact]
    public async Task Both_forms_of_Prometheus_keep_exemplars()
    {
        var container = Resource<ContainerResource>(models.Containers, "prometheus");
        var local = Resource<ExecutableResource>(models.LocalProcesses, "prometheus");

        Assert.Contains("--enable-feature=exemplar-storage", await ArgsAsync(container));
        Assert.Contains("--enable-feature=exemplar-storage", await ArgsAsync(local));
    }

    [Fact]
    public async Task Grafana_links_an_exemplar_trace_id_to_that_trace_in_the_Aspire_dashboard_the_AppHost_serves()
    {
        var environment = await EnvironmentAsync(models.Containers, Resource<ContainerResource>(models.Containers, "grafana"));
        var dashboard = Assert.IsType<string>(environment["ASPIRE_DASHBOARD_URL"]);
        Assert.Equal(Models.DashboardUrl, dashboard);

        // The link as Grafana reads it once it has expanded the provisioning file's variables ($$ is a literal $).
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "grafana", "provisioning", "datasources", "prometheus.yml"))));
        var datasource = (YamlMappingNode)Assert.Single((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("datasources")]);
        var jsonData = (YamlMappingNode)datasource.Children[new YamlScalarNode("jsonData")];
        var destination = (YamlMappingNode)Assert.Single((YamlSequenceNode)jsonData.Children[new YamlScalarNode("exemplarTraceIdDestinations")]);
        Assert.Equal("trace_id", ((YamlScalarNode)destination.Children[new YamlScalarNode("name")]).Value);
        var url = ((YamlScalarNode)destination.Children[new YamlScalarNode("url")]).Value!
            .Replace("$$", "\0", StringComparison.Ordinal)
            .Replace("$ASPIRE_DASHBOARD_URL", dashboard, StringComparison.Ordinal)
            .Replace("\0", "$", StringComparison.Ordinal);
        Assert.Equal(dashboard + "/traces/detail/${__value.raw}", url);

        // The latency charts ask Prometheus for the exemplars, so that Grafana draws them.
        foreach (var file in new[] { "monitoring-overview.json", "monitoring-endpoint.json" })
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "grafana", "dashboards", file)));
            Assert.Contains(Targets(json.RootElement), target =>
                target.TryGetProperty("exemplar", out var exemplar) && exemplar.ValueKind == System.Text.Json.JsonValueKind.True
                && target.GetProperty("expr").GetString()!.Contains("http_request_duration_seconds_bucket", StringComparison.Ordinal));
        }
    }

    /// <summary>Every query target of every panel, rows' panels included.</summary>
    private static IEnumerable<System.Text.Json.JsonElement> Targets(System.Text.Json.JsonElement element) =>
        element.ValueKind switch
        {
            System.Text.Json.JsonValueKind.Object => element.EnumerateObject().SelectMany(property => property.Name == "targets"
                && property.Value.ValueKind == System.Text.Json.JsonValueKind.Array ? property.Value.EnumerateArray() : Targets(property.Value)),
            System.Text.Json.JsonValueKind.Array => element.EnumerateArray().SelectMany(Targets),
            _ => [],
        };

    [Fact]
    public void Without_containers_Prometheus_is_the_local_binary_and_Grafana_is_left_out()
    {
        var app = models.LocalProcesses;
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var prometheus = Resource<ExecutableResource>(app, "prometheus");
        Assert.Equal(models.PrometheusPath, prometheus.Command);
        Assert.Equal("dataapi", Assert.Single(prometheus.Annotations.OfType<WaitAnnotation>()).Resource.Name);
        Assert.Single(prometheus.Annotations.OfType<HealthCheckAnnotation>());
        Assert.DoesNotContain(model.Resources, resource => resource.Name == "grafana");
        Assert.DoesNotContain(model.Resources, resource => resource is ContainerResource);
    }

    [Fact]
    public async Task The_DataApi_gets_its_port_from_the_AppHost_and_a_readiness_health_check()
    {
        var app = models.LocalProcesses;
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        var endpoint = Assert.Single(dataApi.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal("http", endpoint.UriScheme);
        var port = Assert.IsType<EndpointReferenceExpression>((await EnvironmentAsync(app, dataApi))["PORT"]);
        Assert.Equal(EndpointProperty.TargetPort, port.Property);
        Assert.Equal("http", port.Endpoint.EndpointName);
        Assert.Single(dataApi.Annotations.OfType<HealthCheckAnnotation>());
    }

    [Fact]
    public async Task The_API_key_is_off_by_default_and_a_generated_secret_parameter_when_required()
    {
        Assert.DoesNotContain("API_KEY", (await EnvironmentAsync(models.LocalProcesses, Resource<ProjectResource>(models.LocalProcesses, "dataapi"))).Keys);

        var app = await models.WithApiKey;
        var apiKey = Assert.IsType<ParameterResource>((await EnvironmentAsync(app, Resource<ProjectResource>(app, "dataapi")))["API_KEY"]);

        Assert.Equal("dataapi-api-key", apiKey.Name);
        Assert.True(apiKey.Secret);
        Assert.True((await apiKey.GetValueAsync(default))!.Length >= 32, "the generated key is long enough for API_KEY's minimum");
    }

    [Fact]
    public async Task Without_containers_and_without_the_prometheus_binary_only_the_DataApi_runs()
    {
        var services = (await models.WithoutPrometheusBinary).Services;
        var model = services.GetRequiredService<DistributedApplicationModel>();

        Assert.Single(model.Resources, resource => resource is ProjectResource { Name: "dataapi" });
        Assert.DoesNotContain(model.Resources, resource => resource.Name is "prometheus" or "grafana" or "alertmanager");
        Assert.DoesNotContain(services.GetServices<IHostedService>(), service => service is AppHost::Monitoring.AppHost.ScrapeTargetsWriter);
        Assert.DoesNotContain(services.GetServices<IHostedService>(), service => service is AppHost::Monitoring.AppHost.AlertmanagersFileWriter);
    }

    [Fact]
    public async Task By_default_the_DataApi_runs_once_on_SQLite_and_there_is_no_PostgreSQL()
    {
        var app = models.LocalProcesses;
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        Assert.DoesNotContain(model.Resources, resource => resource.Name is "postgres" or "data" or "postgres-password");
        Assert.Equal(1, Assert.Single(dataApi.Annotations.OfType<ReplicaAnnotation>()).Replicas);
        Assert.DoesNotContain(dataApi.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name is "postgres" or "data");
        Assert.DoesNotContain((await EnvironmentAsync(app, dataApi)).Keys, key => key.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_containers_and_Store_Postgres_PostgreSQL_is_a_pinned_container_with_a_volume_and_a_secret_password()
    {
        var app = await models.PostgresContainers;
        var server = Resource<PostgresServerResource>(app, "postgres");

        var image = Assert.Single(server.Annotations.OfType<ContainerImageAnnotation>());
        Assert.EndsWith("postgres", image.Image, StringComparison.Ordinal);
        Assert.Equal(AppHost::Monitoring.AppHost.PostgresResourceBuilderExtensions.ImageTag, image.Tag);
        Assert.Matches(@"^\d+\.\d+$", image.Tag);
        var data = Assert.Single(server.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.Volume, data.Type);
        Assert.False(string.IsNullOrEmpty(data.Source));
        Assert.StartsWith("/var/lib/postgresql", data.Target, StringComparison.Ordinal);
        Assert.Equal("postgres-password", server.PasswordParameter.Name);
        Assert.True(server.PasswordParameter.Secret);
        Assert.NotEmpty(server.Annotations.OfType<HealthCheckAnnotation>());

        var database = Resource<PostgresDatabaseResource>(app, "data");
        Assert.Same(server, database.Parent);
        Assert.Equal("data", database.DatabaseName);
    }

    [Fact]
    public async Task With_containers_and_Store_Postgres_the_DataApi_references_the_data_database_waits_for_it_and_runs_N_replicas()
    {
        var app = await models.PostgresContainers;
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        var connectionString = Assert.IsType<ConnectionStringReference>((await EnvironmentAsync(app, dataApi))["ConnectionStrings__data"]);
        Assert.IsType<PostgresDatabaseResource>(connectionString.Resource);
        Assert.Equal("data", connectionString.Resource.Name);
        // Waiting for a database, Aspire also waits for its server.
        var waits = dataApi.Annotations.OfType<WaitAnnotation>().ToList();
        Assert.Contains(waits, wait => wait.Resource.Name == "data" && wait.WaitType == WaitType.WaitUntilHealthy);
        Assert.All(waits, wait => Assert.Contains(wait.Resource.Name, new[] { "data", "postgres" }));
        Assert.Equal(3, Assert.Single(dataApi.Annotations.OfType<ReplicaAnnotation>()).Replicas);
    }

    [Fact]
    public async Task Without_containers_and_Store_Postgres_PostgreSQL_runs_from_the_local_binaries_on_an_allocated_loopback_port()
    {
        var app = await models.PostgresLocal;
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var postgres = Resource<AppHost::Monitoring.AppHost.LocalPostgresResource>(app, "postgres");

        Assert.DoesNotContain(model.Resources, resource => resource is ContainerResource);
        Assert.Equal(Environment.IsPrivilegedProcess ? "setpriv" : Path.Combine(models.FakePostgresBin, "postgres"), postgres.Command);
        var endpoint = Assert.Single(postgres.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal("tcp", endpoint.Name);
        Assert.Null(endpoint.Port);
        Assert.Null(endpoint.TargetPort);
        Assert.Single(postgres.Annotations.OfType<HealthCheckAnnotation>());
        Assert.True(postgres.Password.Secret);

        var args = new List<object>();
        foreach (var callback in postgres.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, postgres, default));
        }
        var port = Assert.IsType<EndpointReferenceExpression>(args[args.IndexOf("-p") + 1]);
        Assert.Equal(EndpointProperty.TargetPort, port.Property);
        Assert.Same(postgres, port.Endpoint.Resource);
        Assert.Contains("listen_addresses=127.0.0.1", args);
        var dataDirectory = Assert.IsType<string>(args[args.IndexOf("-D") + 1]);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "monitoring-postgres-"), dataDirectory, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(models.FakePostgresBin, "postgres"), args.Prepend(postgres.Command));
    }

    [Fact]
    public async Task Without_containers_and_Store_Postgres_the_DataApi_connection_string_is_built_from_the_PostgreSQL_endpoint()
    {
        var app = await models.PostgresLocal;
        var postgres = Resource<AppHost::Monitoring.AppHost.LocalPostgresResource>(app, "postgres");
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        var connectionString = Assert.IsType<ConnectionStringReference>((await EnvironmentAsync(app, dataApi))["ConnectionStrings__data"]);
        Assert.Same(postgres, connectionString.Resource);
        var expression = postgres.ConnectionStringExpression;
        Assert.Contains("Database=data", expression.Format, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"Port=\d", expression.Format);
        var port = Assert.Single(expression.ValueProviders.OfType<EndpointReferenceExpression>(), value => value.Property == EndpointProperty.Port);
        Assert.Same(postgres, port.Endpoint.Resource);
        Assert.Equal("tcp", port.Endpoint.EndpointName);
        Assert.Contains(expression.ValueProviders, value => value is ParameterResource { Secret: true, Name: "postgres-password" });
        var wait = Assert.Single(dataApi.Annotations.OfType<WaitAnnotation>());
        Assert.Equal("postgres", wait.Resource.Name);
        Assert.Equal(WaitType.WaitUntilHealthy, wait.WaitType);
        Assert.Equal(3, Assert.Single(dataApi.Annotations.OfType<ReplicaAnnotation>()).Replicas);
    }

    [Fact]
    public async Task Each_replica_stays_its_own_scrape_target()
    {
        var app = await models.PostgresLocal;
        var options = app.Services.GetRequiredService<AppHost::Monitoring.AppHost.ScrapeTargetsOptions>();
        Assert.Equal("dataapi", options.ResourceName);
        Assert.Equal("PORT", options.PortVariable);
        Assert.Equal(3, Resource<ProjectResource>(app, "dataapi").Annotations.OfType<ReplicaAnnotation>().Single().Replicas);

        // The writer's set, fed as the notifications feed it: one target per running replica, each with its own port.
        var targets = new AppHost::Monitoring.AppHost.ScrapeTargetSet(options.Host);
        foreach (var (replica, port) in new[] { ("dataapi-a", "40001"), ("dataapi-b", "40002"), ("dataapi-c", "40003") })
        {
            Assert.True(targets.Update(replica, running: true, port));
        }
        Assert.Equal(["localhost:40001", "localhost:40002", "localhost:40003"], targets.Targets);
    }

    [Fact]
    public async Task With_containers_Alertmanager_is_a_pinned_container_with_its_written_config_read_only_and_a_data_volume()
    {
        var alertmanager = Resource<ContainerResource>(models.Containers, "alertmanager");

        var image = Assert.Single(alertmanager.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("prom/alertmanager", image.Image);
        Assert.Matches(@"^v\d+\.\d+\.\d+$", image.Tag);
        var endpoint = Assert.Single(alertmanager.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(9093, endpoint.TargetPort);
        Assert.Single(alertmanager.Annotations.OfType<HealthCheckAnnotation>());
        Assert.Empty(alertmanager.Annotations.OfType<WaitAnnotation>());

        var mounts = alertmanager.Annotations.OfType<ContainerMountAnnotation>().ToList();
        var config = Assert.Single(mounts, mount => mount.Target == "/etc/alertmanager");
        Assert.Equal(ContainerMountType.BindMount, config.Type);
        Assert.True(config.IsReadOnly);
        // The configuration the AppHost writes as Alertmanager starts, in a folder of this run; not the repository's.
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "monitoring-alertmanager-"), config.Source, StringComparison.Ordinal);
        Assert.True(Directory.Exists(config.Source), config.Source);
        var data = Assert.Single(mounts, mount => mount.Target == "/alertmanager");
        Assert.Equal(ContainerMountType.Volume, data.Type);

        var args = await ArgsAsync(alertmanager);
        Assert.Contains("--config.file=/etc/alertmanager/alertmanager.yml", args);
        Assert.Contains("--storage.path=/alertmanager", args);
        Assert.Contains("--cluster.listen-address=", args);
    }

    [Fact]
    public async Task With_containers_Prometheus_reads_the_Alertmanager_address_from_a_folder_of_this_run_and_does_not_wait_for_it()
    {
        var app = models.Containers;
        var prometheus = Resource<ContainerResource>(app, "prometheus");

        var mount = Assert.Single(prometheus.Annotations.OfType<ContainerMountAnnotation>(), mount => mount.Target == "/etc/prometheus/alertmanagers");
        Assert.True(mount.IsReadOnly);
        Assert.Equal(Options(app).Directory, mount.Source);
        Assert.Equal($"/etc/prometheus/{AlertmanagersFilePattern()}", $"{mount.Target}/*.json");
        AssertAlertmanagerAddress(await EnvironmentAsync(app, prometheus));
        Assert.DoesNotContain(prometheus.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name == "alertmanager");
    }

    [Fact]
    public async Task Without_containers_Alertmanager_is_the_local_binary_on_an_allocated_loopback_port_with_its_data_in_this_run()
    {
        var app = models.LocalProcesses;
        var alertmanager = Resource<ExecutableResource>(app, "alertmanager");

        Assert.Equal(models.AlertmanagerPath, alertmanager.Command);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "monitoring-alertmanager-"), alertmanager.WorkingDirectory, StringComparison.Ordinal);
        var endpoint = Assert.Single(alertmanager.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal("http", endpoint.Name);
        Assert.Null(endpoint.Port);
        Assert.Single(alertmanager.Annotations.OfType<HealthCheckAnnotation>());
        Assert.Equal("/-/ready", AlertmanagerSettings.HealthPath);
        Assert.Empty(alertmanager.Annotations.OfType<WaitAnnotation>());

        var args = await ArgsAsync(alertmanager);
        Assert.Contains($"--config.file={Path.Combine(alertmanager.WorkingDirectory, "config", "alertmanager.yml")}", args);
        Assert.Contains($"--storage.path={Path.Combine(alertmanager.WorkingDirectory, "data")}", args);
        Assert.Contains("--cluster.listen-address=", args);
        var listen = Assert.Single(args.OfType<ReferenceExpression>(), arg => arg.Format.StartsWith("--web.listen-address=", StringComparison.Ordinal));
        Assert.Equal("--web.listen-address=127.0.0.1:{0}", listen.Format);
        var port = Assert.IsType<EndpointReferenceExpression>(Assert.Single(listen.ValueProviders));
        Assert.Equal(EndpointProperty.TargetPort, port.Property);
        Assert.Same(alertmanager, port.Endpoint.Resource);
    }

    [Fact]
    public async Task Without_containers_Prometheus_gets_the_Alertmanager_address_and_the_AppHost_writes_it_where_prometheus_yml_looks()
    {
        var app = models.LocalProcesses;
        var prometheus = Resource<ExecutableResource>(app, "prometheus");

        AssertAlertmanagerAddress(await EnvironmentAsync(app, prometheus));
        var options = Options(app);
        Assert.Equal("prometheus", options.PrometheusResourceName);
        // prometheus.yml's alerting section, relative to the configuration copy in Prometheus's run folder.
        Assert.Equal(Path.Combine(prometheus.WorkingDirectory, AlertmanagersFilePattern()), Path.Combine(options.Directory, "*.json"));
        Assert.True(Directory.Exists(options.Directory), options.Directory);
        Assert.Single(app.Services.GetServices<IHostedService>(), service => service is AppHost::Monitoring.AppHost.AlertmanagersFileWriter);
    }

    [Fact]
    public async Task The_webhook_URL_is_a_secret_parameter_of_Alertmanager_and_without_it_there_is_none()
    {
        var model = models.LocalProcesses.Services.GetRequiredService<DistributedApplicationModel>();
        Assert.DoesNotContain(model.Resources, resource => resource is ParameterResource { Name: AlertmanagerSettings.WebhookUrlParameterName });

        var app = await models.WithWebhook;
        var parameter = Resource<ParameterResource>(app, AlertmanagerSettings.WebhookUrlParameterName);
        Assert.True(parameter.Secret);
        Assert.Equal(Models.WebhookUrl, await parameter.GetValueAsync(default));
        var alertmanager = Resource<ExecutableResource>(app, "alertmanager");
        Assert.Contains(alertmanager.Annotations.OfType<ResourceRelationshipAnnotation>(), relationship => relationship.Resource == parameter);
    }

    [Fact]
    public async Task Without_the_alertmanager_binary_Prometheus_runs_and_keeps_its_alerts()
    {
        var app = await models.WithoutAlertmanagerBinary;
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        Assert.Single(model.Resources, resource => resource.Name == "prometheus");
        Assert.DoesNotContain(model.Resources, resource => resource.Name == "alertmanager");
        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), service => service is AppHost::Monitoring.AppHost.AlertmanagersFileWriter);
        Assert.DoesNotContain(AppHost::Monitoring.AppHost.AlertmanagersFileWriter.AddressVariable, (await EnvironmentAsync(app, Resource<ExecutableResource>(app, "prometheus"))).Keys);
    }

    [Theory]
    [InlineData("hooks.example.com/secret-token")]
    [InlineData("ftp://hooks.example.com/secret-token")]
    public void A_webhook_URL_that_is_not_absolute_http_fails_the_start_without_showing_it(string url)
    {
        var exception = Assert.Throws<AppHost::Monitoring.AppHost.AppHostSettingException>(() =>
            Models.Build("Containers", $"--{AlertmanagerSettings.WebhookUrlSettingName}={url}").Dispose());

        Assert.StartsWith("Monitoring:AlertWebhookUrl must be an absolute http:// or https:// URL", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Monitoring:Store=MySQL", "Monitoring:Store must be SQLite or Postgres (got 'MySQL').")]
    [InlineData("--Monitoring:Replicas=0", "Monitoring:Replicas must be a whole number from 1 to 16 (got '0').")]
    [InlineData("--Monitoring:Replicas=17", "Monitoring:Replicas must be a whole number from 1 to 16 (got '17').")]
    [InlineData("--Monitoring:Replicas=two", "Monitoring:Replicas must be a whole number from 1 to 16 (got 'two').")]
    [InlineData("--Monitoring:Replicas=3", "Monitoring:Replicas above 1 needs Monitoring:Store=Postgres: replicas cannot share the SQLite file (got 3).")]
    [InlineData("--Monitoring:StackMode=Kubernetes", "Monitoring:StackMode must be Auto, Containers or LocalProcesses (got 'Kubernetes').")]
    public void A_bad_setting_fails_the_start_with_one_line_naming_it(string setting, string message)
    {
        var exception = Assert.Throws<AppHost::Monitoring.AppHost.AppHostSettingException>(() => Models.Build("LocalProcesses", setting).Dispose());

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Without_containers_and_without_PostgreSQL_binaries_Store_Postgres_fails_the_start_with_one_line_saying_what_to_install()
    {
        var exception = Assert.Throws<AppHost::Monitoring.AppHost.AppHostSettingException>(() =>
            Models.Build("LocalProcesses", "--Monitoring:Store=Postgres", "--Monitoring:PostgresBin=/nonexistent/bin").Dispose());
        Assert.Contains("'/nonexistent/bin' (Monitoring:PostgresBin) holds no initdb and postgres", exception.Message, StringComparison.Ordinal);

        var line = AppHost::Monitoring.AppHost.StackLog.PostgresMissing("no container runtime answers", configured: null);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("'sudo apt-get install postgresql'", line, StringComparison.Ordinal);
    }

    /// <summary>The models, built once from AppModel as the AppHost builds them, never started.</summary>
    public sealed class Models : IAsyncLifetime
    {
        // An executable named prometheus, so that the local-process models are the same on a machine without the real one.
        private readonly TemporaryDirectory _bin = new();
        private readonly Lazy<Task<BuiltModel>> _withApiKey;
        private readonly Lazy<Task<BuiltModel>> _withoutPrometheusBinary = new(() => BuildAsync("LocalProcesses", "--Monitoring:PrometheusPath=/nonexistent/prometheus"));
        private readonly Lazy<Task<BuiltModel>> _postgresContainers = new(() => BuildAsync("Containers", "--Monitoring:Store=Postgres", "--Monitoring:Replicas=3"));
        private readonly Lazy<Task<BuiltModel>> _postgresLocal;
        private readonly Lazy<Task<BuiltModel>> _withWebhook;
        private readonly Lazy<Task<BuiltModel>> _withoutAlertmanagerBinary;
        private readonly TemporaryDirectory _fakePostgresBin = new();

        public Models()
        {
            // Stand-ins that are never run: only their presence is checked, so the model does not depend on this machine.
            foreach (var program in new[] { "initdb", "postgres" })
            {
                File.WriteAllText(Path.Combine(_fakePostgresBin.Path, program), "");
            }

            PrometheusPath = Path.Combine(_bin.Path, "prometheus");
            AlertmanagerPath = Path.Combine(_bin.Path, "alertmanager");
            foreach (var program in new[] { PrometheusPath, AlertmanagerPath })
            {
                File.WriteAllText(program, "#!/bin/sh\nexit 0\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            _withWebhook = new(() => BuildAsync("LocalProcesses", PrometheusPathArgument, AlertmanagerPathArgument, $"--{AlertmanagerSettings.WebhookUrlSettingName}={WebhookUrl}"));
            _withoutAlertmanagerBinary = new(() => BuildAsync("LocalProcesses", PrometheusPathArgument, "--Monitoring:AlertmanagerPath=/nonexistent/alertmanager"));
            _withApiKey = new(() => BuildAsync("LocalProcesses", PrometheusPathArgument, "--Monitoring:RequireApiKey=true"));
            _postgresLocal = new(() => BuildAsync("LocalProcesses", PrometheusPathArgument, "--Monitoring:Store=Postgres", "--Monitoring:Replicas=3", $"--Monitoring:PostgresBin={FakePostgresBin}"));
        }

        /// <summary>The stand-in binary the local-process models run Prometheus from.</summary>
        public string PrometheusPath { get; }

        /// <summary>The stand-in binary the local-process models run Alertmanager from.</summary>
        public string AlertmanagerPath { get; }

        /// <summary>Monitoring:AlertWebhookUrl of <see cref="WithWebhook"/>.</summary>
        public const string WebhookUrl = "https://hooks.example.com/services/T0/B0/secret-token";

        /// <summary>The folder given as Monitoring:PostgresBin to <see cref="PostgresLocal"/>.</summary>
        public string FakePostgresBin => _fakePostgresBin.Path;

        private string PrometheusPathArgument => $"--Monitoring:PrometheusPath={PrometheusPath}";

        private string AlertmanagerPathArgument => $"--Monitoring:AlertmanagerPath={AlertmanagerPath}";

        /// <summary>The first ASPNETCORE_URLS of <see cref="Containers"/>: where its Aspire dashboard would be.</summary>
        public const string DashboardUrl = "https://localhost:17999";

        public BuiltModel Containers { get; private set; } = null!;

        public BuiltModel LocalProcesses { get; private set; } = null!;

        /// <summary>Built when first asked for.</summary>
        public Task<BuiltModel> WithApiKey => _withApiKey.Value;

        /// <summary>Built when first asked for.</summary>
        public Task<BuiltModel> WithoutPrometheusBinary => _withoutPrometheusBinary.Value;

        /// <summary>Store=Postgres, 3 replicas, containers. Built when first asked for.</summary>
        public Task<BuiltModel> PostgresContainers => _postgresContainers.Value;

        /// <summary>Store=Postgres, 3 replicas, no containers. Built when first asked for.</summary>
        public Task<BuiltModel> PostgresLocal => _postgresLocal.Value;

        /// <summary>No containers, Monitoring:AlertWebhookUrl set. Built when first asked for.</summary>
        public Task<BuiltModel> WithWebhook => _withWebhook.Value;

        /// <summary>No containers, Prometheus's binary but no Alertmanager's. Built when first asked for.</summary>
        public Task<BuiltModel> WithoutAlertmanagerBinary => _withoutAlertmanagerBinary.Value;

        public async Task InitializeAsync()
        {
            Containers = await BuildAsync("Containers", $"--ASPNETCORE_URLS={DashboardUrl};http://localhost:15081");
            LocalProcesses = await BuildAsync("LocalProcesses", PrometheusPathArgument, AlertmanagerPathArgument);
        }

        public async Task DisposeAsync()
        {
            foreach (var model in new[] { Containers, LocalProcesses })
            {
                await model.DisposeAsync();
            }
            foreach (var lazy in new[] { _withApiKey, _withoutPrometheusBinary, _postgresContainers, _postgresLocal, _withWebhook, _withoutAlertmanagerBinary })
            {
                if (lazy.IsValueCreated)
                {
                    await (await lazy.Value).DisposeAsync();
                }
            }
            _bin.Dispose();
            _fakePostgresBin.Dispose();
        }

        private static Task<BuiltModel> BuildAsync(string stackMode, params string[] settings) =>
            Task.FromResult(new BuiltModel(Build(stackMode, settings)));

        /// <summary>The application as AppHost.cs builds it, not started.</summary>
        public static DistributedApplication Build(string stackMode, params string[] settings)
        {
            var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
            {
                Args = [$"--Monitoring:StackMode={stackMode}", .. settings],
                AssemblyName = typeof(AppHost::Monitoring.AppHost.AppModel).Assembly.GetName().Name,
                DisableDashboard = true,
            });
            AppHost::Monitoring.AppHost.AppModel.AddResources(builder);
            return builder.Build();
        }
    }

    public sealed class BuiltModel(DistributedApplication app) : IAsyncDisposable
    {
        public IServiceProvider Services => app.Services;

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    private static void AssertPinnedHealthCheckedContainer(ContainerResource container, string image, string tagPattern, int targetPort, string waitsFor)
    {
        var annotation = Assert.Single(container.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(image, annotation.Image);
        Assert.Matches(tagPattern, annotation.Tag);
        Assert.Equal(targetPort, Assert.Single(container.Annotations.OfType<EndpointAnnotation>()).TargetPort);
        Assert.Single(container.Annotations.OfType<HealthCheckAnnotation>());
        Assert.Equal(waitsFor, Assert.Single(container.Annotations.OfType<WaitAnnotation>()).Resource.Name);
    }

    private static T Resource<T>(BuiltModel app, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources, resource => resource.Name == name));

    private static AppHost::Monitoring.AppHost.AlertmanagersFileOptions Options(BuiltModel app) =>
        app.Services.GetRequiredService<AppHost::Monitoring.AppHost.AlertmanagersFileOptions>();

    /// <summary>Prometheus's address for Alertmanager is Aspire's, resolved for Prometheus: host and port of its http endpoint.</summary>
    private static void AssertAlertmanagerAddress(Dictionary<string, object> environment)
    {
        var address = Assert.IsType<EndpointReferenceExpression>(environment[AppHost::Monitoring.AppHost.AlertmanagersFileWriter.AddressVariable]);
        Assert.Equal("alertmanager", address.Endpoint.Resource.Name);
        Assert.Equal("http", address.Endpoint.EndpointName);
        Assert.Equal(EndpointProperty.HostAndPort, address.Property);
    }

    /// <summary>The one file pattern of prometheus.yml's alerting section (file-based discovery of Alertmanagers).</summary>
    private static string AlertmanagersFilePattern()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "prometheus", "prometheus.yml"))));
        var alerting = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("alerting")];
        var alertmanager = (YamlMappingNode)Assert.Single((YamlSequenceNode)alerting.Children[new YamlScalarNode("alertmanagers")]);
        var discovery = (YamlMappingNode)Assert.Single((YamlSequenceNode)alertmanager.Children[new YamlScalarNode("file_sd_configs")]);
        return ((YamlScalarNode)Assert.Single((YamlSequenceNode)discovery.Children[new YamlScalarNode("files")])).Value!;
    }

    /// <summary>The command line as the resource's callbacks declare it, references left unresolved.</summary>
    private static async Task<List<object>> ArgsAsync(IResourceWithArgs resource)
    {
        var args = new List<object>();
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, resource, default));
        }
        return args;
    }

    /// <summary>The environment as the resource's callbacks declare it, references left unresolved.</summary>
    private static async Task<Dictionary<string, object>> EnvironmentAsync(BuiltModel app, IResourceWithEnvironment resource)
    {
        var context = new EnvironmentCallbackContext(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), resource);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }
}
