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
    [InlineData("check rules slo-rules.yml", "SUCCESS: 24 rules found")]
    [InlineData("test rules slo-rules.test.yml", "SUCCESS")]
    public async Task Promtool_accepts_the_files(string arguments, string expected)
    {
        var (exitCode, output) = await Promtool.RunAsync(arguments, workingDirectory: PrometheusDirectory);

        Assert.True(exitCode == 0, output);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_case_in_the_unit_tests()
    {
        foreach (var (rules, tests) in PromQlSources.RuleFiles)
        {
            // The cases of a rule file's alerts are in its own test file, which loads that rule file.
            var text = File.ReadAllText(Path.Combine(PrometheusDirectory, tests));
            Assert.Matches($@"(?m)^rule_files:\s*\n\s*- {System.Text.RegularExpressions.Regex.Escape(rules)}\s*$", text);
            var blocks = text.Split("alertname:", StringSplitOptions.None).Skip(1).ToList();
            Assert.True(blocks.Count > 0, $"{tests} has no alert_rule_test");
            AssertEveryAlertHasBothCases(PromQlSources.AlertExpressions(rules).Select(alert => alert.Alert), blocks);
        }
    }

    private static void AssertEveryAlertHasBothCases(IEnumerable<string> alerts, List<string> blocks)
    {
        foreach (var alert in alerts)
        {
            var cases = blocks.Where(block => block.TrimStart().StartsWith(alert + "\n", StringComparison.Ordinal) || block.TrimStart().StartsWith(alert + "\r", StringComparison.Ordinal)).ToList();
            Assert.True(cases.Any(block => block.Contains("exp_alerts: []", StringComparison.Ordinal)), $"{alert} has no case where it stays quiet");
            Assert.True(cases.Any(block => block.Contains("exp_labels:", StringComparison.Ordinal)), $"{alert} has no case where it fires");
        }
    }
}
