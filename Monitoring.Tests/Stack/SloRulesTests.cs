extern alias SloRules;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitoring.DataApi.Metrics;
using Monitoring.Tests.Infrastructure;
using SloRules::Monitoring.SloRules;

namespace Monitoring.Tests.Stack;

/// <summary>
/// prometheus/slo-rules.yml is generated from prometheus/slos.yml by tools/Monitoring.SloRules; what the rules do is
/// tested by promtool (slo-rules.test.yml, <see cref="PromtoolTests"/>) and against the real stack (WholeStackTests).
/// </summary>
public sealed partial class SloRulesTests
{
    private static readonly string SpecificationPath = Path.Combine(RepositoryPaths.Root, "prometheus", "slos.yml");
    private static readonly string RulesPath = Path.Combine(RepositoryPaths.Root, "prometheus", "slo-rules.yml");

    private static SloSpecification Specification => SloSpecification.Parse(File.ReadAllText(SpecificationPath));

    [Fact]
    public void The_committed_rules_are_what_the_specification_generates()
    {
        var generated = SloRuleWriter.Write(Specification);

        Assert.True(
            generated == File.ReadAllText(RulesPath).ReplaceLineEndings("\n"),
            "prometheus/slo-rules.yml is stale: run dotnet run --project tools/Monitoring.SloRules and commit it");
    }

    [Fact]
    public async Task The_tool_writes_the_rules_and_its_check_tells_a_stale_file()
    {
        using var directory = new TemporaryDirectory();
        var output = Path.Combine(directory.Path, "slo-rules.yml");

        var (written, writeOutput) = await RunToolAsync(SpecificationPath, output);
        Assert.True(written == 0, writeOutput);
        Assert.Equal(File.ReadAllText(RulesPath).ReplaceLineEndings("\n"), File.ReadAllText(output));

        // Without paths it finds the repository from its working directory (its build output) and checks the committed file.
        var (current, currentOutput) = await RunToolAsync("--check");
        Assert.True(current == 0, currentOutput);

        File.AppendAllText(output, "# edited by hand\n");
        var (stale, staleOutput) = await RunToolAsync("--check", SpecificationPath, output);
        Assert.True(stale == 1, staleOutput);
        Assert.Contains("is not what", staleOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void The_windows_and_burn_rates_are_those_of_the_policy()
    {
        var specification = Specification;

        Assert.Equal("30d", specification.Window.Text);
        Assert.Equal(["5m", "30m", "1h", "2h", "6h", "1d", "3d"], specification.RatioWindows.Select(window => window.Text));
        Assert.Equal(
            ["FastBurn critical 14.4 1h 5m", "FastBurn critical 6 6h 30m", "SlowBurn warning 3 1d 2h", "SlowBurn warning 1 3d 6h"],
            specification.Alerts.SelectMany(alert => alert.Conditions.Select(condition =>
                $"{alert.Suffix} {alert.Severity} {condition.BurnRate.ToString(CultureInfo.InvariantCulture)} {condition.Long} {condition.Short}")));
        Assert.Equal(
            ["dataapi-availability 0.999", "dataapi-latency 0.99"],
            specification.Slos.Select(slo => $"{slo.Name} {slo.Objective.ToString(CultureInfo.InvariantCulture)}"));
    }

    [Fact]
    public void A_latency_threshold_is_a_bucket_boundary_of_the_duration_histogram()
    {
        // http_request_duration_seconds_bucket{le="x"} counts the requests up to x only where x is a boundary; another
        // value matches no series, and the SLI would be all requests bad.
        var boundaries = DataApiMetrics.DurationBuckets.Select(bucket => bucket.ToString(CultureInfo.InvariantCulture)).ToList();
        var latency = Assert.Single(Specification.Slos, slo => slo.Good is not null);

        Assert.Equal("http_request_duration_seconds_bucket", latency.Good!.Metric);
        Assert.Equal("http_request_duration_seconds_count", latency.Requests.Metric);
        var le = LeMatcher().Match(latency.Good.Matchers);
        Assert.True(le.Success, latency.Good.Matchers);
        Assert.Contains(le.Groups["value"].Value, boundaries);
        Assert.Equal("0.25", le.Groups["value"].Value);
    }

    [Theory]
    [InlineData("/metrics", true)]
    [InlineData("/health", true)]
    [InlineData("/health/ready", true)]
    [InlineData("/health/live", true)]
    [InlineData("/data", false)]
    [InlineData("/data/{key}", false)]
    [InlineData("/", false)]
    [InlineData("unmatched", false)]
    public void The_filter_leaves_out_the_scrapes_and_the_health_probes_only(string endpoint, bool excluded)
    {
        foreach (var slo in Specification.Slos)
        {
            var filter = NegativeEndpointMatcher().Match(slo.Filter);
            Assert.True(filter.Success, slo.Filter);
            // PromQL anchors its regular expressions.
            Assert.Equal(excluded, Regex.IsMatch(endpoint, $"^(?:{filter.Groups["regex"].Value})$"));
        }
    }

    [Fact]
    public void Each_burn_rate_condition_has_its_dashboard_panel_with_the_alerts_threshold()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "grafana", "dashboards", "monitoring-slos.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();

        foreach (var condition in Specification.Alerts.SelectMany(alert => alert.Conditions))
        {
            var title = $"Burn rate over {condition.Long} and {condition.Short}";
            var panel = Assert.Single(panels, panel => panel.GetProperty("title").GetString() == title);
            var exprs = panel.GetProperty("targets").EnumerateArray().Select(target => target.GetProperty("expr").GetString()!).ToList();
            Assert.Equal(
                [$"slo:sli_error:ratio_rate{condition.Long}{{", $"slo:sli_error:ratio_rate{condition.Short}{{"],
                exprs.Select(expr => expr[..(expr.IndexOf('{', StringComparison.Ordinal) + 1)]));
            var steps = panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("thresholds").GetProperty("steps").EnumerateArray()
                .Where(step => step.GetProperty("value").ValueKind == JsonValueKind.Number)
                .Select(step => step.GetProperty("value").GetDecimal());
            Assert.Equal([condition.BurnRate], steps);
        }
    }

    [Theory]
    [InlineData("objective: 0.999", "objective: 1.5", "objective must be a ratio below 1")]
    [InlineData("    good: 'http_request_duration_seconds_bucket{le=\"0.25\"}'", "    good: 'x'\n    errors: 'y'", "either errors")]
    [InlineData("long: 1h, short: 5m", "long: 1h, short: 2h", "must be shorter than the long window")]
    [InlineData("long: 3d, short: 6h", "long: 31d, short: 6h", "longer than the compliance window")]
    [InlineData("long: 1h, short: 5m", "long: 1 hour, short: 5m", "not a duration")]
    [InlineData("    job: dataapi\n", "    job: dataapi\n    jobs: other\n", "unknown key jobs")]
    [InlineData("filter: 'endpoint!~\"/metrics|/health.*\"'", "filter: 'endpoint!~/metrics'", "not a list of label matchers")]
    [InlineData("alert: DataApiLatency", "alert: DataApiAvailability", "used twice")]
    public void A_mistake_in_the_specification_is_reported(string original, string replacement, string message)
    {
        var text = File.ReadAllText(SpecificationPath).ReplaceLineEndings("\n");
        var index = text.LastIndexOf(original, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{original}' not in slos.yml");
        var broken = text[..index] + replacement + text[(index + original.Length)..];

        var exception = Assert.Throws<SloSpecificationException>(() => SloSpecification.Parse(broken));
        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(params string[] arguments)
    {
        using var tool = CapturedProcess.Start(RepositoryPaths.BuildOutput("tools/Monitoring.SloRules"), new Dictionary<string, string>(), [], arguments);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await tool.Process.WaitForExitAsync(timeout.Token);
        return (tool.Process.ExitCode, tool.Output);
    }

    [GeneratedRegex("(^|,)le=\"(?<value>[^\"]+)\"")]
    private static partial Regex LeMatcher();

    [GeneratedRegex("(^|,)endpoint!~\"(?<regex>[^\"]+)\"")]
    private static partial Regex NegativeEndpointMatcher();
}
