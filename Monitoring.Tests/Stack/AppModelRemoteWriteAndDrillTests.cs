extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Infrastructure;
using Drills = AppHost::Monitoring.AppHost.DataApiDrills;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The AppHost's model (built as <see cref="AppModelTests"/> builds it, never started) with Monitoring:RemoteWriteUrl,
/// and in Development and Production: the remote_write section Prometheus gets, and the drill commands and fault switch
/// that only Development has.
/// </summary>
public sealed class AppModelRemoteWriteAndDrillTests : IDisposable
{
    private const string ReceiverUrl = "http://127.0.0.1:8428/api/v1/write";

    // An executable named prometheus, so that the local-process models do not depend on this machine.
    private readonly TemporaryDirectory _bin = new();

    public AppModelRemoteWriteAndDrillTests()
    {
        File.WriteAllText(PrometheusPath, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PrometheusPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string PrometheusPath => Path.Combine(_bin.Path, "prometheus");

    public void Dispose() => _bin.Dispose();

    [Fact]
    public async Task Without_RemoteWriteUrl_the_local_Prometheus_runs_a_copy_of_prometheus_yml_without_remote_write()
    {
        using var app = AppModelTests.Models.Build("LocalProcesses", $"--Monitoring:PrometheusPath={PrometheusPath}");

        var configuration = await File.ReadAllTextAsync(await LocalConfigurationFileAsync(app));

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "prometheus", "prometheus.yml")), configuration);
        Assert.DoesNotContain("remote_write", configuration, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_RemoteWriteUrl_the_local_Prometheus_runs_a_config_with_remote_write_there_that_promtool_accepts()
    {
        using var app = AppModelTests.Models.Build("LocalProcesses", $"--Monitoring:PrometheusPath={PrometheusPath}", $"--Monitoring:RemoteWriteUrl={ReceiverUrl}");

        var file = await LocalConfigurationFileAsync(app);
        var configuration = await File.ReadAllTextAsync(file);

        Assert.EndsWith($"remote_write:\n  - url: \"{ReceiverUrl}\"\n", configuration, StringComparison.Ordinal);
        Assert.StartsWith((await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "prometheus", "prometheus.yml"))).TrimEnd(), configuration, StringComparison.Ordinal);
        // The repository's file stays as it is.
        Assert.DoesNotContain("remote_write", await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "prometheus", "prometheus.yml")), StringComparison.Ordinal);
        // The rule files are beside it, so that promtool (and Prometheus) find them.
        var (exitCode, output) = await Promtool.RunAsync($"check config {Path.GetFileName(file)}", workingDirectory: Path.GetDirectoryName(file));
        Assert.True(exitCode == 0, output);
        Assert.Contains("is valid prometheus config file syntax", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_RemoteWriteUrl_and_containers_the_mounted_config_sends_a_loopback_receiver_to_the_host_as_the_container_sees_it()
    {
        using var app = AppModelTests.Models.Build("Containers", $"--Monitoring:RemoteWriteUrl={ReceiverUrl}", "--AppHost:ContainerHostname=host.example.internal");
        var prometheus = Resource<ContainerResource>(app, "prometheus");

        var config = Assert.Single(prometheus.Annotations.OfType<ContainerMountAnnotation>(), mount => mount.Target == "/etc/prometheus");
        Assert.True(config.IsReadOnly);
        Assert.NotEqual(Path.Combine(RepositoryPaths.Root, "prometheus"), config.Source);
        var configuration = await File.ReadAllTextAsync(Path.Combine(config.Source!, "prometheus.yml"));
        Assert.EndsWith("remote_write:\n  - url: \"http://host.example.internal:8428/api/v1/write\"\n", configuration, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "prometheus"), "*.yml").Where(file => !file.EndsWith("prometheus.yml", StringComparison.Ordinal)))
        {
            Assert.Equal(await File.ReadAllTextAsync(file), await File.ReadAllTextAsync(Path.Combine(config.Source!, Path.GetFileName(file))));
        }
    }

    [Theory]
    [InlineData("--Monitoring:RemoteWriteUrl=localhost:8428/api/v1/write", "Monitoring:RemoteWriteUrl must be an absolute http or https URL, such as http://localhost:8428/api/v1/write (got 'localhost:8428/api/v1/write').")]
    [InlineData("--Monitoring:RemoteWriteUrl=ftp://localhost/api/v1/write", "Monitoring:RemoteWriteUrl must be an absolute http or https URL, such as http://localhost:8428/api/v1/write (got 'ftp://localhost/api/v1/write').")]
    [InlineData("--Monitoring:RemoteWriteUrl=https://user:secret@metrics.example/api/v1/push", "Monitoring:RemoteWriteUrl must not hold a user name or password: write a remote_write section with basic_auth into prometheus/prometheus.yml instead.")]
    [InlineData("--Monitoring:Drills:TrafficSeconds=0", "Monitoring:Drills:TrafficSeconds must be a whole number of seconds from 1 to 3600 (got '0').")]
    [InlineData("--Monitoring:Drills:ErrorSeconds=3m", "Monitoring:Drills:ErrorSeconds must be a whole number of seconds from 1 to 3600 (got '3m').")]
    public void A_bad_setting_fails_the_start_with_one_line_naming_it(string setting, string message)
    {
        var exception = Assert.Throws<AppHost::Monitoring.AppHost.AppHostSettingException>(() =>
            AppModelTests.Models.Build("LocalProcesses", $"--Monitoring:PrometheusPath={PrometheusPath}", "--environment=Development", setting).Dispose());

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public async Task In_Development_the_DataApi_has_both_drill_commands_and_its_fault_switch_on()
    {
        using var app = AppModelTests.Models.Build("LocalProcesses", $"--Monitoring:PrometheusPath={PrometheusPath}", "--environment=Development");
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        var commands = dataApi.Annotations.OfType<ResourceCommandAnnotation>().ToDictionary(command => command.Name, command => command.DisplayName);
        Assert.Equal("Generate traffic (60 s)", commands[Drills.TrafficCommandName]);
        Assert.Equal("Inject errors (3 min)", commands[Drills.ErrorsCommandName]);
        Assert.Equal("true", (await EnvironmentAsync(app, dataApi))[Drills.FaultInjectionVariable]);
    }

    [Fact]
    public async Task In_Production_the_DataApi_has_no_drill_command_and_no_fault_switch()
    {
        using var app = AppModelTests.Models.Build("LocalProcesses", $"--Monitoring:PrometheusPath={PrometheusPath}", "--environment=Production");
        var dataApi = Resource<ProjectResource>(app, "dataapi");

        Assert.DoesNotContain(dataApi.Annotations.OfType<ResourceCommandAnnotation>(), command => command.Name.StartsWith("drill-", StringComparison.Ordinal));
        Assert.DoesNotContain(Drills.FaultInjectionVariable, (await EnvironmentAsync(app, dataApi)).Keys);
    }

    /// <summary>The <c>--config.file</c> the local Prometheus is started with.</summary>
    private static async Task<string> LocalConfigurationFileAsync(DistributedApplication app)
    {
        var prometheus = Resource<ExecutableResource>(app, "prometheus");
        var args = new List<object>();
        foreach (var callback in prometheus.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, prometheus, default));
        }
        var file = Assert.Single(args.OfType<string>(), arg => arg.StartsWith("--config.file=", StringComparison.Ordinal))["--config.file=".Length..];
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "monitoring-prometheus-"), file, StringComparison.Ordinal);
        return file;
    }

    private static T Resource<T>(DistributedApplication app, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(app.Services.GetRequiredService<DistributedApplicationModel>().Resources, resource => resource.Name == name));

    /// <summary>The environment as the resource's callbacks declare it, references left unresolved.</summary>
    private static async Task<Dictionary<string, object>> EnvironmentAsync(DistributedApplication app, ProjectResource resource)
    {
        var context = new EnvironmentCallbackContext(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), resource);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }
}
