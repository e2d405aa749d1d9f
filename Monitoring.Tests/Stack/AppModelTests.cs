extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Tests.Infrastructure;

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
        Assert.DoesNotContain(model.Resources, resource => resource.Name is "prometheus" or "grafana");
        Assert.DoesNotContain(services.GetServices<IHostedService>(), service => service is AppHost::Monitoring.AppHost.ScrapeTargetsWriter);
    }

    /// <summary>The models, built once from AppModel as the AppHost builds them, never started.</summary>
    public sealed class Models : IAsyncLifetime
    {
        // An executable named prometheus, so that the local-process models are the same on a machine without the real one.
        private readonly TemporaryDirectory _bin = new();
        private readonly Lazy<Task<BuiltModel>> _withApiKey;
        private readonly Lazy<Task<BuiltModel>> _withoutPrometheusBinary = new(() => BuildAsync("LocalProcesses", "--Monitoring:PrometheusPath=/nonexistent/prometheus"));

        public Models()
        {
            PrometheusPath = Path.Combine(_bin.Path, "prometheus");
            File.WriteAllText(PrometheusPath, "#!/bin/sh\nexit 0\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(PrometheusPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            _withApiKey = new(() => BuildAsync("LocalProcesses", PrometheusPathArgument, "--Monitoring:RequireApiKey=true"));
        }

        /// <summary>The stand-in binary the local-process models run Prometheus from.</summary>
        public string PrometheusPath { get; }

        private string PrometheusPathArgument => $"--Monitoring:PrometheusPath={PrometheusPath}";

        public BuiltModel Containers { get; private set; } = null!;

        public BuiltModel LocalProcesses { get; private set; } = null!;

        /// <summary>Built when first asked for.</summary>
        public Task<BuiltModel> WithApiKey => _withApiKey.Value;

        /// <summary>Built when first asked for.</summary>
        public Task<BuiltModel> WithoutPrometheusBinary => _withoutPrometheusBinary.Value;

        public async Task InitializeAsync()
        {
            Containers = await BuildAsync("Containers");
            LocalProcesses = await BuildAsync("LocalProcesses", PrometheusPathArgument);
        }

        public async Task DisposeAsync()
        {
            foreach (var model in new[] { Containers, LocalProcesses })
            {
                await model.DisposeAsync();
            }
            foreach (var lazy in new[] { _withApiKey, _withoutPrometheusBinary })
            {
                if (lazy.IsValueCreated)
                {
                    await (await lazy.Value).DisposeAsync();
                }
            }
            _bin.Dispose();
        }

        private static Task<BuiltModel> BuildAsync(string stackMode, params string[] settings)
        {
            var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
            {
                Args = [$"--Monitoring:StackMode={stackMode}", .. settings],
                AssemblyName = typeof(AppHost::Monitoring.AppHost.AppModel).Assembly.GetName().Name,
                DisableDashboard = true,
            });
            AppHost::Monitoring.AppHost.AppModel.AddResources(builder);
            return Task.FromResult(new BuiltModel(builder.Build()));
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
