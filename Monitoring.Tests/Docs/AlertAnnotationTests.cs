using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Tests.Docs;

/// <summary>
/// Every alert rule, of every rule file (the generated SLO rules included), links its runbook, a section of
/// docs/operations.md that exists, and a Grafana dashboard that is provisioned, so that renaming a section or a
/// dashboard cannot leave an on-call engineer with a dead link.
/// </summary>
public sealed class AlertAnnotationTests
{
    private const string RunbookDocument = "docs/operations.md";

    public static TheoryData<string> Alerts()
    {
        var alerts = new TheoryData<string>();
        foreach (var rule in Rules())
        {
            alerts.Add(Scalar(rule, "alert"));
        }
        return alerts;
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void The_runbook_url_points_at_a_section_of_the_operations_doc(string alert)
    {
        var runbook = Annotation(alert, "runbook_url");

        Assert.StartsWith(RunbookDocument + "#", runbook, StringComparison.Ordinal);
        var anchor = runbook[(RunbookDocument.Length + 1)..];
        var anchors = DocumentationLinkTests.Anchors(File.ReadAllText(Path.Combine(RepositoryPaths.Root, RunbookDocument)));
        Assert.True(anchors.Contains(anchor), $"{alert}: no heading with the anchor '{anchor}' in {RunbookDocument}");
        // The section is the alert's own, named after it.
        Assert.Equal(alert.ToLowerInvariant(), anchor);
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void The_dashboard_link_names_a_provisioned_dashboard(string alert)
    {
        var dashboard = Annotation(alert, "dashboard");

        Assert.StartsWith("/d/", dashboard, StringComparison.Ordinal);
        var uid = dashboard["/d/".Length..].Split('?', '/')[0];
        var uids = new List<string?>();
        foreach (var file in PromQlSources.DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            uids.Add(document.RootElement.GetProperty("uid").GetString());
        }
        Assert.True(uids.Contains(uid), $"{alert}: no dashboard with the uid '{uid}' in grafana/dashboards ({string.Join(", ", uids)})");
    }

    [Fact]
    public void Every_rule_is_found()
    {
        Assert.Equal(PromQlSources.AlertExpressions().Select(alert => alert.Alert).Order(), Rules().Select(rule => Scalar(rule, "alert")).Order());
    }

    private static string Annotation(string alert, string name)
    {
        var rule = Rules().Single(candidate => Scalar(candidate, "alert") == alert);
        var annotations = (YamlMappingNode)rule.Children[new YamlScalarNode("annotations")];
        Assert.True(annotations.Children.TryGetValue(new YamlScalarNode(name), out var value), $"{alert} has no {name} annotation");
        return ((YamlScalarNode)value).Value!;
    }

    private static List<YamlMappingNode> Rules()
    {
        var rules = new List<YamlMappingNode>();
        foreach (var (file, _) in PromQlSources.RuleFiles)
        {
            var stream = new YamlStream();
            using (var reader = File.OpenText(Path.Combine(RepositoryPaths.Root, "prometheus", file)))
            {
                stream.Load(reader);
            }
            var groups = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
            rules.AddRange(groups.Cast<YamlMappingNode>()
                .SelectMany(group => ((YamlSequenceNode)group.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>())
                .Where(rule => rule.Children.ContainsKey(new YamlScalarNode("alert"))));
        }
        return rules;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
