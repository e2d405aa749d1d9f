using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed partial class WholeStackTests(StackFixture stack)
{
    private static readonly string[] AlertNames =
        [
            "HighErrorRate", "HighResponseTime", "HighErrorRatio", "DataApiDown", "DataApiAllDown", "DataApiTargetMissing",
            "DataApiRequestsStuck", "HighMemoryUsage", "HighCpuUsage", "DataApiRestarted",
        ];

    /// <summary>The burn-rate alerts prometheus/slo-rules.yml has, generated from prometheus/slos.yml.</summary>
    private static readonly string[] SloAlertNames =
        ["DataApiAvailabilityFastBurn", "DataApiAvailabilitySlowBurn", "DataApiLatencyFastBurn", "DataApiLatencySlowBurn"];

    [Fact]
    public async Task The_DataApi_is_ready_through_the_AppHost()
    {
        var ready = await stack.DataApi.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task The_DataApi_target_is_up_with_the_address_the_AppHost_allocated()
    {
        var up = await stack.Prometheus.QueryAsync("up{job=\"dataapi\"}");

        Assert.Null(up.Error);
        var series = Assert.Single(up.Series);
        Assert.Equal(1, up.FirstValue);
        // The target is the replica's own port (not the AppHost's proxy), and that address answers as the DataApi.
        var instance = series.GetProperty("metric").GetProperty("instance").GetString();
        using var direct = new HttpClient { BaseAddress = new Uri($"http://{instance}") };
        var root = await direct.GetFromJsonAsync<JsonElement>("/");
        Assert.Equal("monitoring-data-api", root.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("rate(http_requests_total[5m])")]
    [InlineData("histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))")]
    [InlineData("rate(process_cpu_seconds_total[5m])")]
    [InlineData("process_resident_memory_bytes / 1024 / 1024")]
    [InlineData("rate(http_requests_total{status_code=~\"5..\"}[5m])")]
    [InlineData("process_resident_memory_bytes")]
    public async Task Each_query_of_the_Python_service_README_returns_data(string promql)
    {
        var result = await stack.Prometheus.QueryAsync(promql);

        Assert.Null(result.Error);
        Assert.NotEmpty(result.Series);
    }

    [Fact]
    public async Task Every_dashboard_panel_query_runs_and_returns_data()
    {
        var failures = new List<string>();
        var panels = PromQlSources.DashboardExpressions().ToList();
        Assert.True(panels.Count >= 20, $"only {panels.Count} panel queries found");
        Assert.Contains(panels, panel => panel.Source.StartsWith("annotation ", StringComparison.Ordinal));

        foreach (var (dashboard, panel, expr) in panels)
        {
            var result = await stack.Prometheus.QueryAsync(PromQlSources.SubstituteDashboardVariables(expr));
            if (result.Error is not null)
            {
                failures.Add($"{dashboard} / {panel}: {result.Error} in {expr}");
            }
            else if (result.Series.Count == 0)
            {
                failures.Add($"{dashboard} / {panel}: no data for {expr}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Every_vector_selector_of_every_panel_and_rule_matches_finite_series_on_its_own()
    {
        // A whole expression can return data with a wrong metric or label in it: "or vector(0)", "or … * 0" and
        // absent() answer for a selector that matches nothing. Each selector alone cannot.
        var selectors = new Dictionary<string, (VectorSelector Selector, List<string> Sources)>();
        void Collect(string source, string expr)
        {
            foreach (var selector in PromQlVectorSelectors.In(expr))
            {
                selectors.TryAdd(selector.Text, (selector, []));
                selectors[selector.Text].Sources.Add(source);
            }
        }
        foreach (var (dashboard, panel, expr) in PromQlSources.DashboardExpressions())
        {
            Collect($"{dashboard} / {panel}", PromQlSources.SubstituteDashboardVariables(expr));
        }
        // Every rule Prometheus loaded from the rule files prometheus.yml names, alerting and recording.
        var rules = (await stack.Prometheus.GetDataAsync("/api/v1/rules")).GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .ToList();
        Assert.True(rules.Count >= AlertNames.Length, $"only {rules.Count} rules loaded");
        foreach (var rule in rules)
        {
            Collect($"rule {rule.GetProperty("name").GetString()}", rule.GetProperty("query").GetString()!);
        }
        Assert.True(selectors.Count >= 30, $"only {selectors.Count} distinct selectors found");

        var failures = new List<string>();
        foreach (var (selector, sources) in selectors.Values)
        {
            var problem = SelectorProblem(selector, await stack.Prometheus.QueryAsync(selector.Text));
            if (problem is not null)
            {
                failures.Add($"{selector}: {problem} (in {string.Join("; ", sources.Distinct())})");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Idle shows 0: a ratio or a mean over a window without requests is 0/0, NaN, unless the query guards it.
    /// Prometheus cannot evaluate a window that ends in the future, so each panel query is evaluated at a past instant
    /// whose window lies wholly after the fixture's traffic: it opens one scrape interval (and a margin) after the
    /// last request was answered, once the scrape that took in the last requests has landed, and holds four scrapes,
    /// so rate() has samples to compare and every counter of the traffic's endpoints is flat in it. The check before
    /// the loop makes sure the window really is idle on GET /data/{key}, the endpoint the ratios divide by.
    /// Quantiles are left out: the quantile of no requests has no value, and Grafana leaves a gap rather than a 0.
    /// </summary>
    [Fact]
    public async Task No_ratio_or_mean_panel_answers_NaN_once_the_traffic_has_stopped()
    {
        const string window = "20s";
        var at = stack.TrafficEnded + ScrapeInterval + TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(20);
        var wait = at + ScrapeInterval - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var idle = await stack.Prometheus.QueryAtAsync(
            $"sum(increase(http_requests_total{{job=\"dataapi\",method=\"GET\",endpoint=\"/data/{{key}}\"}}[{window}]))", at);
        Assert.Null(idle.Error);
        Assert.True(idle.Series.Count == 1 && idle.FirstValue == 0, $"GET /data/{{key}} is not idle in the window: {idle.Series.Count} series");

        var failures = new List<string>();
        var checkedQueries = 0;
        foreach (var (dashboard, panel, expr) in PromQlSources.DashboardPanelExpressions())
        {
            if (expr.Contains("histogram_quantile", StringComparison.Ordinal))
            {
                continue;
            }
            checkedQueries++;
            var result = await stack.Prometheus.QueryAtAsync(PromQlSources.SubstituteDashboardVariables(expr, window), at);
            if (result.Error is not null)
            {
                failures.Add($"{dashboard} / {panel}: {result.Error} in {expr}");
            }
            else if (result.Series.Count == 0)
            {
                failures.Add($"{dashboard} / {panel}: no data rather than 0 for {expr}");
            }
            else if (result.Series.Zip(result.Samples).Where(pair => !pair.Second.All(double.IsFinite)).Select(pair => pair.First.ToString()).ToList()
                is { Count: > 0 } notFinite)
            {
                failures.Add($"{dashboard} / {panel}: {string.Join(", ", notFinite)} for {expr}");
            }
        }

        Assert.True(checkedQueries >= 20, $"only {checkedQueries} queries checked");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>The DataApi job's scrape interval in prometheus/prometheus.yml.</summary>
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(5);

    /// <summary>What is wrong with a selector's own result after the fixture's traffic, or null when nothing is.</summary>
    private static string? SelectorProblem(VectorSelector selector, PrometheusApi.QueryResult result)
    {
        if (result.Error is not null)
        {
            return result.Error;
        }
        if (result.Series.Count == 0)
        {
            return "matches no series";
        }
        if (result.Samples.SelectMany(samples => samples).Any(value => !double.IsFinite(value)))
        {
            return "has a sample that is not a finite number";
        }
        // rate(), increase() and the like need two samples in the range to answer anything.
        if (selector.IsRange && result.Samples.All(samples => samples.Count < 2))
        {
            return "has no series with two samples in its range";
        }
        // A matcher on a label the series lack matches only by accident (an empty-matching regex, a !=).
        foreach (var series in result.Series)
        {
            var metric = series.GetProperty("metric");
            if (selector.LabelNames.FirstOrDefault(label => !metric.TryGetProperty(label, out _)) is { } missing)
            {
                return $"matches series without the label {missing}: {metric}";
            }
        }
        return null;
    }

    [Fact]
    public async Task Every_dashboard_variable_finds_the_DataApi()
    {
        foreach (var (dashboard, variable, expr) in PromQlSources.DashboardVariableExpressions())
        {
            var result = await stack.Prometheus.QueryAsync(PromQlSources.SubstituteDashboardVariables(expr));
            Assert.True(result.Error is null, $"{dashboard} ${variable}: {result.Error}");
            Assert.True(result.Series.Count > 0, $"{dashboard} ${variable} has no values: {expr}");
        }
    }

    [Fact]
    public async Task Every_alert_expression_runs_and_its_measure_has_data()
    {
        // The hand-written rules, each a measure and a threshold; the SLO rules' selectors are checked with every rule's.
        var alerts = PromQlSources.AlertExpressions("alerts.yml").ToList();
        Assert.Equal(AlertNames.Order(), alerts.Select(alert => alert.Alert).Order());

        foreach (var (alert, expr) in alerts)
        {
            var result = await stack.Prometheus.QueryAsync(expr);
            Assert.True(result.Error is null, $"{alert}: {result.Error}");

            // Without its threshold, the expression measures something the traffic produced.
            var measure = Threshold().Replace(expr, string.Empty);
            var measured = await stack.Prometheus.QueryAsync(measure);
            Assert.True(measured.Error is null, $"{alert}: {measured.Error} in {measure}");
            if (measure.StartsWith("absent(", StringComparison.Ordinal))
            {
                Assert.True(measured.Series.Count == 0, $"{alert}: the target is there, yet {measure} says it is absent");
            }
            else
            {
                Assert.True(measured.Series.Count > 0, $"{alert}: no data for {measure}");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*(>|<|==|!=|>=|<=)\s*[0-9.]+\s*$")]
    private static partial System.Text.RegularExpressions.Regex Threshold();

    [Fact]
    public async Task Prometheus_has_loaded_every_alert_rule()
    {
        var data = await stack.Prometheus.GetDataAsync("/api/v1/rules");

        var loaded = data.GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Where(rule => rule.GetProperty("type").GetString() == "alerting")
            .Select(rule => rule.GetProperty("name").GetString()!)
            .ToList();
        Assert.Equal(AlertNames.Concat(SloAlertNames).Order(), loaded.Order());
        Assert.All(
            data.GetProperty("groups").EnumerateArray().SelectMany(group => group.GetProperty("rules").EnumerateArray()),
            rule => Assert.Equal("ok", rule.GetProperty("health").GetString()));
    }

    [Fact]
    public async Task Injected_errors_make_HighErrorRate_and_HighErrorRatio_pending_or_firing()
    {
        // HighErrorRate is one alert for the job; HighErrorRatio names the method and endpoint of the injected 500s.
        var errorRate = await WaitForAlertAsync("HighErrorRate", alert => Label(alert, "job") == "dataapi");
        Assert.True(errorRate.ValueKind == JsonValueKind.Object, "HighErrorRate never became pending for the injected 5xx");
        Assert.Contains(errorRate.GetProperty("state").GetString(), new[] { "pending", "firing" });
        Assert.Equal("warning", Label(errorRate, "severity"));

        var errorRatio = await WaitForAlertAsync("HighErrorRatio", alert =>
            Label(alert, "job") == "dataapi" && Label(alert, "method") == "GET" && Label(alert, "endpoint") == "/data/{key}");
        Assert.True(errorRatio.ValueKind == JsonValueKind.Object, "HighErrorRatio never became pending for the injected 500s on GET /data/{key}");
        Assert.Contains(errorRatio.GetProperty("state").GetString(), new[] { "pending", "firing" });
        Assert.Equal("critical", Label(errorRatio, "severity"));
    }

    [Fact]
    public async Task Injected_errors_burn_the_availability_error_budget_fast_and_slowly()
    {
        // A quarter of the traffic's requests are injected 5xx: 250 times the 0.1 % the availability SLO allows, over
        // every window, so both burn-rate alerts fire (they have no "for"). The error ratio is recorded per window.
        var ratios = await stack.Prometheus.QueryAsync("slo:sli_error:ratio_rate5m{job=\"dataapi\",slo=\"dataapi-availability\"}");
        Assert.Null(ratios.Error);
        Assert.Single(ratios.Series);
        Assert.InRange(ratios.FirstValue, 0.1, 0.5);

        foreach (var (name, severity) in new[] { ("DataApiAvailabilityFastBurn", "critical"), ("DataApiAvailabilitySlowBurn", "warning") })
        {
            var alert = await WaitForAlertAsync(name, alert => Label(alert, "job") == "dataapi" && Label(alert, "slo") == "dataapi-availability");
            Assert.True(alert.ValueKind == JsonValueKind.Object, $"{name} never fired for the injected 5xx");
            Assert.Equal("firing", alert.GetProperty("state").GetString());
            Assert.Equal(severity, Label(alert, "severity"));
        }
    }

    [Fact]
    public async Task Finished_traffic_leaves_the_availability_and_saturation_alerts_quiet()
    {
        // Every request of the fixture finished: DataApiRequestsStuck's in-flight excess is about the scrape's own
        // request, far under its threshold, and nothing is down or restarted. (CPU and latency depend on the machine.)
        string[] quiet = ["DataApiRequestsStuck", "DataApiDown", "DataApiAllDown", "DataApiTargetMissing", "DataApiRestarted", "HighMemoryUsage"];
        var stuck = await stack.Prometheus.QueryAsync(
            "sum by (job, instance) (avg_over_time(http_requests_active{job=\"dataapi\"}[5m]))"
            + " - sum by (job, instance) (rate(http_request_duration_seconds_sum{job=\"dataapi\"}[5m]))");
        Assert.Null(stuck.Error);
        Assert.NotEmpty(stuck.Series);
        Assert.True(stuck.FirstValue < 3, $"requests in flight beyond the finished ones: {stuck.FirstValue}");

        var data = await stack.Prometheus.GetDataAsync("/api/v1/alerts");
        var active = data.GetProperty("alerts").EnumerateArray()
            .Select(alert => Label(alert, "alertname"))
            .Where(name => quiet.Contains(name))
            .ToList();
        Assert.True(active.Count == 0, $"pending or firing: {string.Join(", ", active)}");
    }

    /// <summary>The first alert of that name matching, pending or firing, within a minute; default when none.</summary>
    private async Task<JsonElement> WaitForAlertAsync(string name, Func<JsonElement, bool> matches)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var data = await stack.Prometheus.GetDataAsync("/api/v1/alerts");
            var alert = data.GetProperty("alerts").EnumerateArray().FirstOrDefault(candidate => Label(candidate, "alertname") == name && matches(candidate));
            if (alert.ValueKind == JsonValueKind.Object || DateTime.UtcNow >= deadline)
            {
                return alert;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static string? Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var value) ? value.GetString() : null;
}
