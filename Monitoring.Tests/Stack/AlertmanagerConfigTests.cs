extern alias AppHost;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;
using AlertmanagerConfig = AppHost::Monitoring.AppHost.AlertmanagerConfig;

namespace Monitoring.Tests.Stack;

/// <summary>
/// alertmanager/alertmanager.yml as amtool and a real Alertmanager read it, as it is and as the AppHost runs it (with
/// the webhook of Monitoring:AlertWebhookUrl, or without any).
/// </summary>
public sealed class AlertmanagerConfigTests : IDisposable
{
    private const string WebhookUrl = "http://127.0.0.1:5001/alerts?token=abc";

    private static readonly string TemplatePath = Path.Combine(RepositoryPaths.Root, "alertmanager", "alertmanager.yml");

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Amtool_accepts_the_repository_configuration()
    {
        var (exitCode, output) = await Amtool.RunAsync("check-config", TemplatePath);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        Assert.Contains("2 inhibit rules", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WebhookUrl)]
    [InlineData(null)]
    public async Task Amtool_accepts_the_configuration_the_AppHost_writes(string? webhookUrl)
    {
        var path = Path.Combine(_directory.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(path, Render(webhookUrl));

        var (exitCode, output) = await Amtool.RunAsync("check-config", path);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_webhook_URL_every_alert_goes_to_it_firing_and_resolved_grouped_by_alertname_and_job()
    {
        var root = Parse(Render(WebhookUrl));

        var route = Mapping(root, "route");
        Assert.Equal(AlertmanagerConfig.WebhookReceiver, Text(route, "receiver"));
        Assert.False(route.Children.ContainsKey(new YamlScalarNode("routes")), "a sub-route could send some alerts elsewhere");
        Assert.Equal(["alertname", "job"], ((YamlSequenceNode)route.Children[new YamlScalarNode("group_by")]).Select(node => ((YamlScalarNode)node).Value));
        // Soon enough for a page, not so often that a flapping group floods anyone, and a reminder within a working day.
        Assert.InRange(Duration(Text(route, "group_wait")), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        Assert.InRange(Duration(Text(route, "group_interval")), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10));
        Assert.InRange(Duration(Text(route, "repeat_interval")), TimeSpan.FromHours(1), TimeSpan.FromHours(12));

        var receiver = Assert.Single(((YamlSequenceNode)root.Children[new YamlScalarNode("receivers")]).Cast<YamlMappingNode>());
        var webhook = (YamlMappingNode)Assert.Single((YamlSequenceNode)receiver.Children[new YamlScalarNode("webhook_configs")]);
        Assert.Equal(WebhookUrl, Text(webhook, "url"));
        Assert.Equal("true", Text(webhook, "send_resolved"));
    }

    [Fact]
    public void Without_a_webhook_URL_the_receiver_delivers_nowhere_and_nothing_else_changes()
    {
        var template = Parse(File.ReadAllText(TemplatePath));
        var root = Parse(Render(webhookUrl: null));

        var receiver = Assert.Single(((YamlSequenceNode)root.Children[new YamlScalarNode("receivers")]).Cast<YamlMappingNode>());
        Assert.Equal(["name"], receiver.Children.Keys.Select(key => ((YamlScalarNode)key).Value));
        Assert.Equal(AlertmanagerConfig.WebhookReceiver, Text(receiver, "name"));
        Assert.Equal(Serialize(template.Children[new YamlScalarNode("route")]), Serialize(root.Children[new YamlScalarNode("route")]));
        Assert.Equal(Serialize(template.Children[new YamlScalarNode("inhibit_rules")]), Serialize(root.Children[new YamlScalarNode("inhibit_rules")]));
    }

    [Fact]
    public async Task A_down_target_silences_its_other_alerts_and_every_target_down_silences_every_instance()
    {
        var path = Path.Combine(_directory.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(path, Render(webhookUrl: null));
        await using var alertmanager = await AlertmanagerProcess.StartAsync(path, Path.Combine(_directory.Path, "data"));

        await alertmanager.PostAsync(
            Alert("DataApiDown", "localhost:5001"),
            Alert("DataApiRestarted", "localhost:5001"),
            Alert("HighMemoryUsage", "localhost:5001"),
            Alert("DataApiRestarted", "localhost:5002"),
            Alert("HighErrorRate", instance: null));

        // DataApiDown on :5001 silences :5001's other alerts, nothing of :5002's and not the job's own.
        var inhibited = await alertmanager.WaitForInhibitedAsync(expected: 2);
        Assert.Equal(["DataApiRestarted localhost:5001", "HighMemoryUsage localhost:5001"], inhibited);

        // Every target down: the per-instance alerts, DataApiDown among them, are silenced; the job's are not.
        await alertmanager.PostAsync(Alert("DataApiAllDown", instance: null));
        inhibited = await alertmanager.WaitForInhibitedAsync(expected: 4);
        Assert.Equal(["DataApiDown localhost:5001", "DataApiRestarted localhost:5001", "DataApiRestarted localhost:5002", "HighMemoryUsage localhost:5001"], inhibited);
    }

    private static string Render(string? webhookUrl) => AlertmanagerConfig.Render(File.ReadAllText(TemplatePath), webhookUrl);

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Serialize(YamlNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    /// <summary>A Prometheus-style duration with one unit: 30s, 5m, 4h.</summary>
    private static TimeSpan Duration(string text)
    {
        var value = int.Parse(text[..^1], CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => throw new FormatException(text),
        };
    }

    private static object Alert(string name, string? instance)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = name, ["job"] = "dataapi" };
        if (instance is not null)
        {
            labels["instance"] = instance;
        }
        return new { labels, annotations = new Dictionary<string, string> { ["summary"] = name } };
    }

    /// <summary>A real Alertmanager on a loopback port of its own, clustering off.</summary>
    private sealed class AlertmanagerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private AlertmanagerProcess(Process process, int port)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        }

        public HttpClient Client { get; }

        public static async Task<AlertmanagerProcess> StartAsync(string config, string data)
        {
            var port = FreePort.Next();
            var startInfo = new ProcessStartInfo(Binary())
            {
                ArgumentList =
                {
                    "--config.file=" + config,
                    "--storage.path=" + data,
                    "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                    "--cluster.listen-address=",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var alertmanager = new AlertmanagerProcess(new Process { StartInfo = startInfo }, port);
            alertmanager._process.OutputDataReceived += alertmanager.Collect;
            alertmanager._process.ErrorDataReceived += alertmanager.Collect;
            alertmanager._process.Start();
            alertmanager._process.BeginOutputReadLine();
            alertmanager._process.BeginErrorReadLine();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                Assert.False(alertmanager._process.HasExited, "Alertmanager exited: " + alertmanager.Output);
                try
                {
                    using var ready = await alertmanager.Client.GetAsync("/-/ready");
                    if (ready.IsSuccessStatusCode)
                    {
                        return alertmanager;
                    }
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    // Not listening yet.
                }
                Assert.True(DateTime.UtcNow < deadline, "Alertmanager never became ready: " + alertmanager.Output);
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task PostAsync(params object[] alerts)
        {
            using var response = await Client.PostAsJsonAsync("/api/v2/alerts", alerts);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        /// <summary>The inhibited alerts as "alertname instance", sorted, once there are <paramref name="expected"/> (or after 10 s).</summary>
        public async Task<List<string>> WaitForInhibitedAsync(int expected)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var alerts = await Client.GetFromJsonAsync<JsonElement>("/api/v2/alerts");
                var inhibited = alerts.EnumerateArray()
                    .Where(alert => alert.GetProperty("status").GetProperty("inhibitedBy").GetArrayLength() > 0)
                    .Select(alert => alert.GetProperty("labels"))
                    .Select(labels => $"{labels.GetProperty("alertname").GetString()} {(labels.TryGetProperty("instance", out var instance) ? instance.GetString() : "-")}")
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (inhibited.Count >= expected || DateTime.UtcNow > deadline)
                {
                    return inhibited;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        private void Collect(object sender, DataReceivedEventArgs line)
        {
            lock (_output)
            {
                _output.AppendLine(line.Data);
            }
        }

        /// <summary>Debian's name for the binary, else the upstream one.</summary>
        private static string Binary() =>
            new[] { "prometheus-alertmanager", "alertmanager" }.FirstOrDefault(name =>
                (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                    .Any(folder => File.Exists(Path.Combine(folder, name))))
            ?? throw new InvalidOperationException("Alertmanager is not installed: apt-get install prometheus-alertmanager (see test.sh).");
    }
}
