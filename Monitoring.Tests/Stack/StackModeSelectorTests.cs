extern alias AppHost;

using AppHost::Monitoring.AppHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>Without a container runtime, the local <c>prometheus</c> binary is looked for on PATH (here a PATH of our own).</summary>
public sealed class StackModeSelectorTests : IDisposable
{
    private readonly TemporaryDirectory _path = new();

    public void Dispose() => _path.Dispose();

    [Fact]
    public void Without_the_prometheus_binary_on_PATH_Prometheus_is_left_out_and_one_line_says_how_to_install_it()
    {
        File.WriteAllText(Path.Combine(_path.Path, "prometheus"), "not executable");

        var stack = StackModeSelector.Select(LocalProcesses(), _path.Path);

        Assert.True(stack.LocalPrometheusMissing);
        Assert.False(stack.RunsPrometheus);
        Assert.False(stack.RunsGrafana);
        var logger = new RecordingLogger();
        logger.LogStack(stack);
        var line = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.DoesNotContain('\n', line.Message);
        Assert.Contains("Prometheus and Grafana are not started", line.Message, StringComparison.Ordinal);
        Assert.Contains("'prometheus' binary is not installed", line.Message, StringComparison.Ordinal);
        Assert.Contains("'sudo apt-get install prometheus'", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_prometheus_binary_on_PATH_Prometheus_runs_from_it_and_only_Grafana_is_left_out()
    {
        WriteExecutable(Path.Combine(_path.Path, "prometheus"));

        var stack = StackModeSelector.Select(LocalProcesses(), $"/nonexistent{Path.PathSeparator}{_path.Path}");

        Assert.False(stack.LocalPrometheusMissing);
        Assert.True(stack.RunsPrometheus);
        Assert.False(stack.RunsGrafana);
        Assert.Equal("prometheus", stack.LocalPrometheus);
        Assert.Equal("localhost", stack.HostNameSeenFromPrometheus);
        var logger = new RecordingLogger();
        logger.LogStack(stack);
        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("Grafana is not started", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_prometheus_path_is_used_as_it_is()
    {
        var binary = WriteExecutable(Path.Combine(_path.Path, "prometheus-3"));

        var found = StackModeSelector.Select(LocalProcesses(("Monitoring:PrometheusPath", binary)), searchPath: null);
        var missing = StackModeSelector.Select(LocalProcesses(("Monitoring:PrometheusPath", binary + "-missing")), _path.Path);

        Assert.Equal(binary, found.LocalPrometheus);
        Assert.False(found.LocalPrometheusMissing);
        Assert.True(missing.LocalPrometheusMissing);
    }

    [Theory]
    [InlineData("prometheus-alertmanager")]
    [InlineData("alertmanager")]
    public void Alertmanager_runs_from_Debians_binary_or_the_upstream_one_on_PATH(string name)
    {
        WriteExecutable(Path.Combine(_path.Path, "prometheus"));
        WriteExecutable(Path.Combine(_path.Path, name));

        var stack = StackModeSelector.Select(LocalProcesses(), _path.Path);

        Assert.Equal(name, stack.LocalAlertmanager);
        Assert.True(stack.RunsAlertmanager);
    }

    [Fact]
    public void Without_an_alertmanager_binary_Prometheus_still_runs_and_Alertmanager_is_left_out()
    {
        WriteExecutable(Path.Combine(_path.Path, "prometheus"));
        File.WriteAllText(Path.Combine(_path.Path, "alertmanager"), "not executable");

        var stack = StackModeSelector.Select(LocalProcesses(), _path.Path);
        var configured = StackModeSelector.Select(LocalProcesses(("Monitoring:AlertmanagerPath", WriteExecutable(Path.Combine(_path.Path, "am-0.25")))), _path.Path);

        Assert.True(stack.RunsPrometheus);
        Assert.True(stack.LocalAlertmanagerMissing);
        Assert.False(stack.RunsAlertmanager);
        Assert.Equal("prometheus-alertmanager", stack.LocalAlertmanager);
        Assert.True(configured.RunsAlertmanager);
        Assert.Equal(Path.Combine(_path.Path, "am-0.25"), configured.LocalAlertmanager);

        var logger = new RecordingLogger();
        StackLog.LogAlertmanagerMissing(logger, stack.Reason, stack.LocalAlertmanager, AlertmanagerResourceBuilderExtensions.InstallAlertmanager);
        var line = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.DoesNotContain('\n', line.Message);
        Assert.Contains("alerts stay in Prometheus", line.Message, StringComparison.Ordinal);
        Assert.Contains("'sudo apt-get install prometheus-alertmanager'", line.Message, StringComparison.Ordinal);
    }

    private static string WriteExecutable(string path)
    {
        File.WriteAllText(path, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static IConfiguration LocalProcesses(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection([new("Monitoring:StackMode", "LocalProcesses"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))])
            .Build();

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
