using System.Text.Json;
using System.Text.RegularExpressions;
using Monitoring.ServiceDefaults;
using Monitoring.Tests.Infrastructure;
using Monitoring.Tests.Reliability;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The example in deploy/kubernetes/: the manifests agree with each other and with the DataApi (ports, probes, the
/// scrape path, the job the alert rules name), and the relabelling of its Prometheus configuration, run by a real
/// Prometheus, makes each DataApi replica pod one target of job <c>dataapi</c> and drops every other pod and port.
/// </summary>
/// <remarks>
/// Debian's Prometheus is built without Kubernetes discovery, so the pods reach Prometheus through a file carrying the
/// labels Kubernetes pod discovery gives each container port (<c>__meta_kubernetes_*</c>, as documented for
/// <c>role: pod</c>); everything after discovery is the example's configuration as shipped.
/// </remarks>
[Collection(AloneCollection.Name)]
public sealed partial class KubernetesExampleTests
{
    private const string Namespace = "monitoring";
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    [Fact]
    public void The_Service_the_ServiceMonitor_and_the_probes_reach_the_DataApi()
    {
        var manifests = LoadDocuments("dataapi.yaml");
        var deployment = manifests.Single(document => Text(document, "kind") == "Deployment");
        var service = manifests.Single(document => Text(document, "kind") == "Service");
        var serviceMonitor = LoadDocuments("servicemonitor.yaml").Single();
        var podLabels = Labels(Node(deployment, "spec", "template", "metadata", "labels"));
        var container = Assert.Single(Sequence(deployment, "spec", "template", "spec", "containers").Cast<YamlMappingNode>());
        var port = Assert.Single(Sequence(container, "ports").Cast<YamlMappingNode>());

        // The image listens on 8000 (the DataApi project's ContainerPort); everything else refers to the port by its name.
        Assert.Equal("8000", Text(port, "containerPort"));
        Assert.Equal("http", Text(port, "name"));
        Assert.Subset(podLabels, Labels(Node(deployment, "spec", "selector", "matchLabels")));
        Assert.Equal(HealthEndpoints.ReadinessPath, Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal(HealthEndpoints.LivenessPath, Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("http", Text(container, "readinessProbe", "httpGet", "port"));
        Assert.Equal("http", Text(container, "livenessProbe", "httpGet", "port"));
        Assert.Contains(Sequence(container, "env").Cast<YamlMappingNode>(), variable => Text(variable, "name") == "ConnectionStrings__data");

        Assert.Subset(podLabels, Labels(Node(service, "spec", "selector")));
        var servicePort = Assert.Single(Sequence(service, "spec", "ports").Cast<YamlMappingNode>());
        Assert.Equal("http", Text(servicePort, "targetPort"));

        // The operator names a ServiceMonitor's job after the Service: the alert rules and dashboards expect "dataapi".
        Assert.Equal("dataapi", Text(service, "metadata", "name"));
        Assert.Subset(Labels(Node(service, "metadata", "labels")), Labels(Node(serviceMonitor, "spec", "selector", "matchLabels")));
        var endpoint = Assert.Single(Sequence(serviceMonitor, "spec", "endpoints").Cast<YamlMappingNode>());
        Assert.Equal(Text(servicePort, "name"), Text(endpoint, "port"));
        Assert.Equal(MetricsExportOptions.ScrapePath, Text(endpoint, "path"));
        Assert.Equal("5s", Text(endpoint, "interval"));
    }

    [Fact]
    public void The_Kubernetes_scrape_job_matches_the_stack_s()
    {
        var stack = ScrapeJob(LoadDocuments(Path.Combine(RepositoryPaths.Root, "prometheus", "prometheus.yml")).Single());
        var kubernetes = ScrapeJob(LoadDocuments("prometheus.yml").Single());

        foreach (var setting in new[] { "job_name", "metrics_path", "scrape_interval" })
        {
            Assert.Equal(Text(stack, setting), Text(kubernetes, setting));
        }
        Assert.Equal("pod", Text(Assert.Single(Sequence(kubernetes, "kubernetes_sd_configs").Cast<YamlMappingNode>()), "role"));
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_each_replica_pod_as_job_dataapi_and_drops_every_other_pod()
    {
        using var folder = new TemporaryDirectory();
        var deployment = LoadDocuments("dataapi.yaml").Single(document => Text(document, "kind") == "Deployment");
        var podLabels = Labels(Node(deployment, "spec", "template", "metadata", "labels"));
        var container = (YamlMappingNode)Sequence(deployment, "spec", "template", "spec", "containers")[0];
        var portName = Text((YamlMappingNode)Sequence(container, "ports")[0], "name");

        await using var first = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(folder.Path, "first.db")));
        await using var second = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(folder.Path, "second.db")));
        var replicas = new Dictionary<string, string>
        {
            ["dataapi-6f7d9c8b5-k2x4p"] = AddressOf(first),
            ["dataapi-6f7d9c8b5-q8n7m"] = AddressOf(second),
        };
        var discovered = new List<Dictionary<string, string>>();
        foreach (var (pod, address) in replicas)
        {
            discovered.Add(PodPort(pod, address, podLabels, Text(container, "name"), portName, "Running"));
        }
        // What discovery also finds and the job must drop: another application's pod, a replica's second port, and a
        // replica that has finished. Nothing listens on their addresses.
        discovered.Add(PodPort("shop-5b6c7d8e9f-abcde", $"127.0.0.1:{FreePort.Next()}", [KeyValuePair.Create("app.kubernetes.io/name", "shop")], "shop", "http", "Running"));
        discovered.Add(PodPort("dataapi-6f7d9c8b5-k2x4p", $"127.0.0.1:{FreePort.Next()}", podLabels, "debug-sidecar", "debug", "Running"));
        discovered.Add(PodPort("dataapi-6f7d9c8b5-zz9vv", $"127.0.0.1:{FreePort.Next()}", podLabels, Text(container, "name"), portName, "Succeeded"));

        await using var prometheus = await StartPrometheusAsync(folder.Path, discovered);
        var api = new PrometheusApi(prometheus.Client);

        var targets = await WaitForTargetsAsync(prometheus, discovered.Count);
        Assert.Equal(replicas.OrderBy(pair => pair.Key), targets.Active.Select(target => KeyValuePair.Create(target["pod"], target["instance"])).OrderBy(pair => pair.Key));
        Assert.All(targets.Active, target =>
        {
            Assert.Equal("dataapi", target["job"]);
            Assert.Equal(Namespace, target["namespace"]);
        });
        Assert.Equal(discovered.Count - replicas.Count, targets.Dropped);

        var up = await api.WaitForDataAsync("count(up{job=\"dataapi\"} == 1) == 2", TimeSpan.FromSeconds(30));
        Assert.True(up.Series.Count == 1, $"Both replicas were not up: {JsonSerializer.Serialize(targets.Active)}\n{prometheus.Output}");
        // The rule files beside the configuration, as the ConfigMap mounts them, are loaded: the alerts and the SLOs.
        var rules = await api.GetDataAsync("/api/v1/rules");
        var names = rules.GetProperty("groups").EnumerateArray().SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Select(rule => rule.GetProperty("name").GetString()).ToList();
        Assert.Contains("DataApiDown", names);
        Assert.Contains("DataApiAvailabilityFastBurn", names);
    }

    private static string AddressOf(DataApiProcess process) => process.Client.BaseAddress!.Authority;

    /// <summary>The labels Kubernetes pod discovery gives one container port of a pod (Prometheus's <c>role: pod</c>).</summary>
    private static Dictionary<string, string> PodPort(
        string pod, string address, IEnumerable<KeyValuePair<string, string>> labels, string containerName, string portName, string phase)
    {
        var target = new Dictionary<string, string>
        {
            ["__address__"] = address,
            ["__meta_kubernetes_namespace"] = Namespace,
            ["__meta_kubernetes_pod_name"] = pod,
            ["__meta_kubernetes_pod_ip"] = address.Split(':')[0],
            ["__meta_kubernetes_pod_phase"] = phase,
            ["__meta_kubernetes_pod_ready"] = phase == "Running" ? "true" : "false",
            ["__meta_kubernetes_pod_container_name"] = containerName,
            ["__meta_kubernetes_pod_container_port_name"] = portName,
            ["__meta_kubernetes_pod_container_port_number"] = address.Split(':')[1],
            ["__meta_kubernetes_pod_container_port_protocol"] = "TCP",
        };
        foreach (var (name, value) in labels)
        {
            target[$"__meta_kubernetes_pod_label_{LabelNameCharacters().Replace(name, "_")}"] = value;
            target[$"__meta_kubernetes_pod_labelpresent_{LabelNameCharacters().Replace(name, "_")}"] = "true";
        }
        return target;
    }

    /// <summary>
    /// Prometheus with deploy/kubernetes/prometheus.yml and the rules beside it, as the example's ConfigMap mounts them;
    /// the job's <c>kubernetes_sd_configs</c> is replaced by a file holding <paramref name="discovered"/>.
    /// </summary>
    private static Task<PrometheusServer> StartPrometheusAsync(string folder, List<Dictionary<string, string>> discovered)
    {
        var configuration = LoadStream("prometheus.yml");
        var job = ScrapeJob((YamlMappingNode)configuration.Documents[0].RootNode);
        Assert.True(job.Children.Remove(new YamlScalarNode("kubernetes_sd_configs")));
        job.Children.Add("file_sd_configs", new YamlSequenceNode(new YamlMappingNode("files", new YamlSequenceNode(new YamlScalarNode("pods.json")))));
        using (var writer = File.CreateText(Path.Combine(folder, "prometheus.yml")))
        {
            configuration.Save(writer, assignAnchors: false);
        }
        foreach (var (rules, _) in PromQlSources.RuleFiles)
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "prometheus", rules), Path.Combine(folder, rules));
        }
        File.WriteAllText(Path.Combine(folder, "pods.json"),
            JsonSerializer.Serialize(discovered.Select(target => new { targets = new[] { target["__address__"] }, labels = target.Where(label => label.Key != "__address__").ToDictionary() })));

        return PrometheusServer.StartReadyAsync(Path.Combine(folder, "prometheus.yml"), folder, FreePort.Next());
    }

    private static async Task<(List<Dictionary<string, string>> Active, int Dropped)> WaitForTargetsAsync(PrometheusServer prometheus, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var data = (await prometheus.Client.GetFromJsonAsync<JsonElement>("/api/v1/targets")).GetProperty("data");
            var active = data.GetProperty("activeTargets").EnumerateArray()
                .Select(target => target.GetProperty("labels").Deserialize<Dictionary<string, string>>()!)
                .ToList();
            var dropped = data.GetProperty("droppedTargets").GetArrayLength();
            if (active.Count + dropped >= expected || DateTime.UtcNow > deadline)
            {
                return (active, dropped);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static YamlStream LoadStream(string file)
    {
        var stream = new YamlStream();
        using var reader = File.OpenText(Path.IsPathRooted(file) ? file : Path.Combine(Folder, file));
        stream.Load(reader);
        return stream;
    }

    private static List<YamlMappingNode> LoadDocuments(string file) =>
        LoadStream(file).Documents.Select(document => (YamlMappingNode)document.RootNode).ToList();

    private static YamlMappingNode ScrapeJob(YamlMappingNode configuration) =>
        Sequence(configuration, "scrape_configs").Cast<YamlMappingNode>().Single(job => Text(job, "job_name") == "dataapi");

    private static YamlNode Node(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            Assert.True(((YamlMappingNode)current).Children.TryGetValue(new YamlScalarNode(key), out var child), $"No '{key}' in {string.Join('.', path)}");
            current = child;
        }
        return current;
    }

    private static string Text(YamlMappingNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value!;

    private static YamlSequenceNode Sequence(YamlMappingNode node, params string[] path) => (YamlSequenceNode)Node(node, path);

    private static HashSet<KeyValuePair<string, string>> Labels(YamlNode node) =>
        ((YamlMappingNode)node).Children.Select(pair => KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ((YamlScalarNode)pair.Value).Value!)).ToHashSet();

    // Prometheus spells a Kubernetes label name as a label name by replacing each character that may not appear in one.
    [GeneratedRegex("[^a-zA-Z0-9_]")]
    private static partial Regex LabelNameCharacters();
}
