using System.Text.Json;
using System.Text.RegularExpressions;

namespace Monitoring.Tests.Infrastructure;

/// <summary>Every PromQL expression the repository ships: dashboard panels and variables, and alert rules.</summary>
public static partial class PromQlSources
{
    /// <summary>
    /// What Grafana would substitute for the dashboards' variables: <paramref name="window"/> for the rate interval
    /// and the dashboard's time range, every instance, and for the endpoint dashboard an endpoint the stack's traffic
    /// reaches with every kind of answer (GET /data/{key}: 200, 404 and injected 500s).
    /// </summary>
    public static string SubstituteDashboardVariables(string expr, string window = "1m") => expr
        .Replace("$__rate_interval", window, StringComparison.Ordinal)
        .Replace("${__range}", window, StringComparison.Ordinal)
        .Replace("$__range", window, StringComparison.Ordinal)
        .Replace("${job}", "dataapi", StringComparison.Ordinal)
        .Replace("$job", "dataapi", StringComparison.Ordinal)
        .Replace("${instance}", ".*", StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal)
        .Replace("${method}", "GET", StringComparison.Ordinal)
        .Replace("$method", "GET", StringComparison.Ordinal)
        .Replace("${endpoint}", "/data/{key}", StringComparison.Ordinal)
        .Replace("$endpoint", "/data/{key}", StringComparison.Ordinal);

    public static IEnumerable<string> DashboardFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal);

    /// <summary>(dashboard file, panel title, expression) for every target of every panel, rows included.</summary>
    public static IEnumerable<(string Dashboard, string Panel, string Expr)> DashboardPanelExpressions()
    {
        foreach (var file in DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in Panels(document.RootElement))
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }
                foreach (var target in targets.EnumerateArray())
                {
                    if (target.TryGetProperty("expr", out var expr) && !string.IsNullOrWhiteSpace(expr.GetString()))
                    {
                        yield return (Path.GetFileName(file), panel.GetProperty("title").GetString()!, expr.GetString()!);
                    }
                }
            }
        }
    }

    /// <summary>(dashboard file, annotation name, expression) for every Prometheus annotation query of the dashboards.</summary>
    public static IEnumerable<(string Dashboard, string Annotation, string Expr)> DashboardAnnotationExpressions()
    {
        foreach (var file in DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var annotation in document.RootElement.GetProperty("annotations").GetProperty("list").EnumerateArray())
            {
                if (annotation.TryGetProperty("expr", out var expr) && !string.IsNullOrWhiteSpace(expr.GetString()))
                {
                    yield return (Path.GetFileName(file), annotation.GetProperty("name").GetString()!, expr.GetString()!);
                }
            }
        }
    }

    /// <summary>Every query a dashboard runs on its own: panel targets, then annotations (named "annotation …").</summary>
    public static IEnumerable<(string Dashboard, string Source, string Expr)> DashboardExpressions() =>
        DashboardPanelExpressions().Concat(
            DashboardAnnotationExpressions().Select(annotation => (annotation.Dashboard, $"annotation {annotation.Annotation}", annotation.Expr)));

    /// <summary>The dashboards' template variables, label_values(m, l) turned into the PromQL Grafana runs for it.</summary>
    public static IEnumerable<(string Dashboard, string Variable, string Expr)> DashboardVariableExpressions()
    {
        foreach (var file in DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                var query = variable.GetProperty("query");
                var text = query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString()! : query.GetString()!;
                var match = LabelValues().Match(text);
                Assert.True(match.Success, $"{file}: variable query '{text}' is not label_values(metric, label)");
                yield return (Path.GetFileName(file), variable.GetProperty("name").GetString()!,
                    $"count by ({match.Groups["label"].Value}) ({match.Groups["metric"].Value})");
            }
        }
    }

    /// <summary>
    /// The rule files of prometheus/ that prometheus.yml loads, each with its <c>promtool test rules</c> file: the
    /// hand-written alerts, and the SLO rules generated from slos.yml.
    /// </summary>
    public static IReadOnlyList<(string Rules, string Tests)> RuleFiles { get; } =
        [("alerts.yml", "alerts.test.yml"), ("slo-rules.yml", "slo-rules.test.yml")];

    /// <summary>(alert name, expression) of every alerting rule of every file of <see cref="RuleFiles"/>.</summary>
    public static IEnumerable<(string Alert, string Expr)> AlertExpressions() =>
        RuleFiles.SelectMany(file => AlertExpressions(file.Rules));

    /// <summary>(alert name, expression) of every alerting rule in prometheus/<paramref name="ruleFile"/>.</summary>
    public static IEnumerable<(string Alert, string Expr)> AlertExpressions(string ruleFile)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "prometheus", ruleFile));
        string? alert = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("- alert:", StringComparison.Ordinal))
            {
                alert = line["- alert:".Length..].Trim();
            }
            else if (line.StartsWith("expr:", StringComparison.Ordinal) && alert is not null)
            {
                var expr = line["expr:".Length..].Trim();
                if (expr == "|")
                {
                    // A block scalar: the following, more indented lines.
                    var indent = lines[i].IndexOf('e', StringComparison.Ordinal);
                    var block = new List<string>();
                    while (i + 1 < lines.Length && (lines[i + 1].Length - lines[i + 1].TrimStart().Length) > indent)
                    {
                        block.Add(lines[++i].Trim());
                    }
                    expr = string.Join(' ', block);
                }
                yield return (alert, expr);
                alert = null;
            }
        }
    }

    private static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        if (!container.TryGetProperty("panels", out var panels))
        {
            yield break;
        }
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            foreach (var nested in Panels(panel))
            {
                yield return nested;
            }
        }
    }

    [GeneratedRegex(@"^label_values\((?<metric>.+),\s*(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")]
    private static partial Regex LabelValues();
}
