using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>Prometheus's own checks of the files in prometheus/.</summary>
public sealed class PromtoolTests
{
    private static readonly string PrometheusDirectory = Path.Combine(RepositoryPaths.Root, "prometheus");

    [Theory]
    [InlineData("check config prometheus.yml", "SUCCESS: prometheus.yml is valid prometheus config file syntax")]
    [InlineData("check rules alerts.yml", "SUCCESS: 10 rules found")]
    [InlineData("test rules alerts.test.yml", "SUCCESS")]
    public async Task Promtool_accepts_the_files(string arguments, string expected)
    {
        var (exitCode, output) = await Promtool.RunAsync(arguments, workingDirectory: PrometheusDirectory);

        Assert.True(exitCode == 0, output);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_case_in_the_unit_tests()
    {
        var tests = File.ReadAllText(Path.Combine(PrometheusDirectory, "alerts.test.yml"));
        var blocks = tests.Split("alertname:", StringSplitOptions.None).Skip(1).ToList();

        foreach (var (alert, _) in PromQlSources.AlertExpressions())
        {
            var cases = blocks.Where(block => block.TrimStart().StartsWith(alert + "\n", StringComparison.Ordinal) || block.TrimStart().StartsWith(alert + "\r", StringComparison.Ordinal)).ToList();
            Assert.True(cases.Any(block => block.Contains("exp_alerts: []", StringComparison.Ordinal)), $"{alert} has no case where it stays quiet");
            Assert.True(cases.Any(block => block.Contains("exp_labels:", StringComparison.Ordinal)), $"{alert} has no case where it fires");
        }
    }
}
