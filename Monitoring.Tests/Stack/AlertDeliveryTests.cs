extern alias AppHost;

using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Monitoring.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The alert path end to end, through the AppHost with local processes: injected 500s → the DataApi's metrics →
/// Prometheus's HighErrorRate → the Alertmanager the AppHost runs (found through the file the AppHost writes) → the
/// webhook of <c>Monitoring:AlertWebhookUrl</c>, here a receiver of the test's own on loopback; then the resolved
/// notification once the errors stop.
/// <para>
/// This proves the delivery path, not the rule's timing: HighErrorRate's 5m window and 2m <c>for</c> would make the test
/// last minutes, so Prometheus runs a copy of alerts.yml in which only those two durations of HighErrorRate are shortened,
/// and Alertmanager's group_wait and group_interval are shortened the same way (its configuration reloaded). When the rule
/// fires, and when it does not, is proven by alerts.test.yml (promtool test rules, PromtoolTests); the timings of
/// alertmanager.yml by AlertmanagerConfigTests.
/// </para>
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class AlertDeliveryTests
{
    private const string Alert = "HighErrorRate";

    /// <summary>HighErrorRate's rate window and <c>for</c>, as in alerts.yml and as shortened here.</summary>
    private static readonly (string Production, string Test)[] RuleDurations = [("[5m]", "[15s]"), ("for: 2m", "for: 5s")];

    /// <summary>alertmanager.yml's grouping delays, as the AppHost writes them and as shortened here.</summary>
    private static readonly (string Production, string Test)[] GroupDurations = [("group_wait: 30s", "group_wait: 1s"), ("group_interval: 5m", "group_interval: 2s")];

    [Fact]
    public async Task Injected_errors_reach_the_webhook_as_HighErrorRate_firing_then_resolved()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var webhook = await WebhookReceiver.StartAsync();
        using var directory = new TemporaryDirectory();
        using var cancellation = new CancellationTokenSource(StackFixture.Timeout);
        var cancellationToken = cancellation.Token;

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            ["--Monitoring:StackMode=LocalProcesses", $"--Monitoring:AlertWebhookUrl={webhook.Url}"], cancellationToken);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(directory.Path, "data.db"))
            .WithEnvironment("FAULT_INJECTION_ENABLED", "true")
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);
        // The AppHost copied prometheus/*.yml into Prometheus's run folder as it built the model; the copy is replaced.
        var rules = Path.Combine(Executable(builder, "prometheus").WorkingDirectory, "alerts.yml");
        await File.WriteAllTextAsync(rules, ShortenHighErrorRate(await File.ReadAllTextAsync(rules, cancellationToken)), cancellationToken);
        var alertmanagerConfig = Path.Combine(Executable(builder, "alertmanager").WorkingDirectory, "config", "alertmanager.yml");

        await using var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        foreach (var resource in new[] { "dataapi", "prometheus", "alertmanager" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }
        using var dataApi = app.CreateHttpClient("dataapi");
        var prometheus = new PrometheusApi(app.CreateHttpClient("prometheus", "http"));
        using var alertmanager = app.CreateHttpClient("alertmanager", "http");
        var started = stopwatch.Elapsed;

        // The configuration Alertmanager started with carries the webhook; its grouping delays are shortened and reloaded.
        var written = await File.ReadAllTextAsync(alertmanagerConfig, cancellationToken);
        Assert.Contains($"\"{webhook.Url}\"", written, StringComparison.Ordinal);
        await File.WriteAllTextAsync(alertmanagerConfig, Replace(written, GroupDurations), cancellationToken);
        using (var reload = await alertmanager.PostAsync("/-/reload", content: null, cancellationToken))
        {
            Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync(cancellationToken));
        }
        var status = await alertmanager.GetFromJsonAsync<JsonElement>("/api/v2/status", cancellationToken);
        Assert.Contains("group_interval: 2s", status.GetProperty("config").GetProperty("original").GetString(), StringComparison.Ordinal);

        // Prometheus sends to the Alertmanager the AppHost runs: the address in alertmanagers/alertmanager.json.
        var alertmanagerPort = alertmanager.BaseAddress!.Port;
        var discovered = await PollAsync(async () =>
        {
            var data = await prometheus.GetDataAsync("/api/v1/alertmanagers", cancellationToken);
            return data.GetProperty("activeAlertmanagers").EnumerateArray().Select(am => new Uri(am.GetProperty("url").GetString()!)).ToList();
        }, urls => urls.Count > 0, TimeSpan.FromSeconds(30), "Prometheus found no Alertmanager", cancellationToken);
        Assert.Equal(alertmanagerPort, Assert.Single(discovered).Port);

        // 500s, about 10 per second, until the webhook has the firing notification.
        using var errors = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var injecting = InjectErrorsAsync(dataApi, errors.Token);
        var inAlertmanager = await PollAsync(
            async () => (await alertmanager.GetFromJsonAsync<JsonElement>($"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{Alert}\"")}", cancellationToken)).EnumerateArray().ToList(),
            alerts => alerts.Count > 0, TimeSpan.FromSeconds(60), $"{Alert} never reached Alertmanager", cancellationToken);
        var firing = await webhook.WaitForAsync(notification => Is(notification, "firing"), TimeSpan.FromSeconds(30), cancellationToken);
        var fired = stopwatch.Elapsed;
        await errors.CancelAsync();
        await injecting;

        var active = Assert.Single(inAlertmanager);
        Assert.Equal("active", active.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(AppHost::Monitoring.AppHost.AlertmanagerConfig.WebhookReceiver, Assert.Single(active.GetProperty("receivers").EnumerateArray()).GetProperty("name").GetString());
        AssertRuleLabelsAndAnnotations(active);

        Assert.Equal(AppHost::Monitoring.AppHost.AlertmanagerConfig.WebhookReceiver, firing.GetProperty("receiver").GetString());
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = Alert, ["job"] = "dataapi" }, Strings(firing.GetProperty("groupLabels")));
        Assert.Equal(alertmanagerPort, new Uri(firing.GetProperty("externalURL").GetString()!).Port);
        var firingAlert = Assert.Single(firing.GetProperty("alerts").EnumerateArray());
        Assert.Equal("firing", firingAlert.GetProperty("status").GetString());
        AssertRuleLabelsAndAnnotations(firingAlert);
        Assert.Contains("/graph?g0.expr=", firingAlert.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);

        // No more errors: the shortened window empties, the rule resolves, and the webhook is told.
        var resolved = await webhook.WaitForAsync(notification => Is(notification, "resolved"), TimeSpan.FromSeconds(60), cancellationToken);
        var resolvedAlert = Assert.Single(resolved.GetProperty("alerts").EnumerateArray());
        Assert.Equal("resolved", resolvedAlert.GetProperty("status").GetString());
        Assert.Equal(firingAlert.GetProperty("fingerprint").GetString(), resolvedAlert.GetProperty("fingerprint").GetString());
        AssertRuleLabelsAndAnnotations(resolvedAlert);
        Assert.True(resolvedAlert.GetProperty("endsAt").GetDateTimeOffset() > resolvedAlert.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Empty(await alertmanager.GetFromJsonAsync<JsonElement[]>($"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{Alert}\"")}", cancellationToken) ?? []);

        Console.WriteLine($"Alert delivery: stack healthy after {started.TotalSeconds:F0} s, firing notification after {fired.TotalSeconds:F0} s, resolved after {stopwatch.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// alerts.yml with HighErrorRate's rate window and <c>for</c> shortened and nothing else changed: the other rules keep
    /// their durations, so that none of them fires into the notifications this test reads.
    /// </summary>
    private static string ShortenHighErrorRate(string rules)
    {
        var start = rules.IndexOf($"- alert: {Alert}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {Alert} rule in alerts.yml");
        var end = rules.IndexOf("- alert: ", start + 1, StringComparison.Ordinal);
        var rule = rules[start..(end < 0 ? rules.Length : end)];
        return rules[..start] + Replace(rule, RuleDurations) + rules[(start + rule.Length)..];
    }

    /// <summary>Each production text replaced by its test value; each must be there exactly once.</summary>
    private static string Replace(string text, IEnumerable<(string Production, string Test)> replacements)
    {
        foreach (var (production, test) in replacements)
        {
            Assert.True(Regex.Count(text, Regex.Escape(production)) == 1, $"expected '{production}' once in:\n{text}");
            text = text.Replace(production, test, StringComparison.Ordinal);
        }
        return text;
    }

    private static bool Is(JsonElement notification, string status) =>
        notification.GetProperty("status").GetString() == status
        && notification.GetProperty("groupLabels").TryGetProperty("alertname", out var name) && name.GetString() == Alert;

    /// <summary>The alert's labels are the rule's (job and severity), its annotations the rule's templates filled in.</summary>
    private static void AssertRuleLabelsAndAnnotations(JsonElement alert)
    {
        var rule = Rule();
        Assert.Equal(
            new Dictionary<string, string> { ["alertname"] = Alert, ["job"] = "dataapi", ["severity"] = Scalar(Mapping(rule, "labels"), "severity") },
            Strings(alert.GetProperty("labels")));

        var templates = Mapping(rule, "annotations");
        var annotations = Strings(alert.GetProperty("annotations"));
        Assert.Equal(templates.Children.Keys.Select(key => ((YamlScalarNode)key).Value!).Order(), annotations.Keys.Order());
        Assert.Equal(Scalar(templates, "summary"), annotations["summary"]);
        Assert.Equal(Scalar(templates, "runbook_url"), annotations["runbook_url"]);
        Assert.Equal(Scalar(templates, "dashboard").Replace("{{ $labels.job }}", "dataapi", StringComparison.Ordinal), annotations["dashboard"]);
        Assert.Matches(@"^dataapi answers [0-9.e+]+ 5xx responses per second", annotations["description"]);
    }

    /// <summary>HighErrorRate as prometheus/alerts.yml has it.</summary>
    private static YamlMappingNode Rule()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "prometheus", "alerts.yml"))));
        var groups = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
        return groups.Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>())
            .Single(rule => rule.Children.TryGetValue(new YamlScalarNode("alert"), out var name) && ((YamlScalarNode)name).Value == Alert);
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    private static Dictionary<string, string> Strings(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetString()!);

    private static ExecutableResource Executable(IDistributedApplicationTestingBuilder builder, string name) =>
        Assert.IsType<ExecutableResource>(Assert.Single(builder.Resources, resource => resource.Name == name));

    private static async Task InjectErrorsAsync(HttpClient dataApi, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var response = await dataApi.SendAsync(FaultInjection.Request(HttpMethod.Get, "/data/alert-delivery", "500"), cancellationToken);
                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The firing notification arrived.
        }
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string failure, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within {timeout.TotalSeconds} s");
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }
}
