using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Monitoring.SloRules;

/// <summary>prometheus/slos.yml: the compliance window, the burn-rate alert policy and the SLOs.</summary>
internal sealed partial record SloSpecification(PromDuration Window, IReadOnlyList<BurnRateAlert> Alerts, IReadOnlyList<Slo> Slos)
{
    /// <summary>Every window an error ratio is recorded over: the long and short windows of every condition, shortest first.</summary>
    public IReadOnlyList<PromDuration> RatioWindows =>
        Alerts.SelectMany(alert => alert.Conditions).SelectMany(condition => new[] { condition.Long, condition.Short })
            .Distinct().OrderBy(window => window.Length).ToList();

    public static SloSpecification Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            throw new SloSpecificationException($"not YAML: {exception.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SloSpecificationException("the file must be one mapping");
        }
        var document = new Node(root, "");
        document.OnlyKeys("window", "alerts", "slos");

        var window = document.Duration("window");
        var alerts = document.Sequence("alerts").Select(ParseAlert).ToList();
        var slos = document.Sequence("slos").Select(ParseSlo).ToList();
        if (alerts.Count == 0 || slos.Count == 0)
        {
            throw new SloSpecificationException("alerts and slos must not be empty");
        }
        Unique(alerts.Select(alert => alert.Suffix), "alert suffix");
        Unique(slos.Select(slo => slo.Name), "SLO name");
        Unique(slos.Select(slo => slo.Alert), "SLO alert prefix");
        foreach (var condition in alerts.SelectMany(alert => alert.Conditions))
        {
            if (condition.Long.Length > window.Length)
            {
                throw new SloSpecificationException($"the long window {condition.Long} is longer than the compliance window {window}");
            }
        }
        return new SloSpecification(window, alerts, slos);
    }

    private static BurnRateAlert ParseAlert(Node node)
    {
        node.OnlyKeys("suffix", "severity", "conditions");
        var conditions = node.Sequence("conditions").Select(condition =>
        {
            condition.OnlyKeys("burn_rate", "long", "short");
            var parsed = new BurnRateCondition(condition.PositiveDecimal("burn_rate"), condition.Duration("long"), condition.Duration("short"));
            if (parsed.Short.Length >= parsed.Long.Length)
            {
                throw new SloSpecificationException($"{condition.Path}: the short window {parsed.Short} must be shorter than the long window {parsed.Long}");
            }
            return parsed;
        }).ToList();
        if (conditions.Count == 0)
        {
            throw new SloSpecificationException($"{node.Path}.conditions must not be empty");
        }
        return new BurnRateAlert(node.Matching("suffix", Identifier()), node.Matching("severity", Word()), conditions);
    }

    private static Slo ParseSlo(Node node)
    {
        node.OnlyKeys("name", "alert", "title", "description", "objective", "job", "filter", "requests", "errors", "good");
        var objective = node.PositiveDecimal("objective");
        if (objective >= 1)
        {
            throw new SloSpecificationException($"{node.Path}.objective must be a ratio below 1 (0.999 for 99.9 %), not {objective}");
        }
        var errors = node.OptionalScalar("errors");
        var good = node.OptionalScalar("good");
        if ((errors is null) == (good is null))
        {
            throw new SloSpecificationException($"{node.Path}: give either errors (the bad requests) or good (the good ones), not both or neither");
        }
        return new Slo(
            node.Matching("name", SloName()),
            node.Matching("alert", Identifier()),
            node.Scalar("title"),
            node.Scalar("description"),
            objective,
            node.Matching("job", Word()),
            Selector.ParseMatchers(node.Scalar("filter"), $"{node.Path}.filter"),
            Selector.Parse(node.Scalar("requests"), $"{node.Path}.requests"),
            errors is null ? null : Selector.Parse(errors, $"{node.Path}.errors"),
            good is null ? null : Selector.Parse(good, $"{node.Path}.good"));
    }

    private static void Unique(IEnumerable<string> values, string what)
    {
        if (values.GroupBy(value => value, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } duplicate)
        {
            throw new SloSpecificationException($"the {what} {duplicate.Key} is used twice");
        }
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex Word();

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex SloName();

    /// <summary>A mapping of the file and where it is, for messages.</summary>
    private sealed class Node(YamlMappingNode mapping, string path)
    {
        public string Path => path.Length == 0 ? "(top level)" : path;

        public void OnlyKeys(params string[] keys)
        {
            foreach (var key in mapping.Children.Keys)
            {
                if (key is not YamlScalarNode { Value: { } name } || !keys.Contains(name, StringComparer.Ordinal))
                {
                    throw new SloSpecificationException($"{Path}: unknown key {key} (known: {string.Join(", ", keys)})");
                }
            }
        }

        public string? OptionalScalar(string key)
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var value))
            {
                return null;
            }
            return value is YamlScalarNode { Value: { Length: > 0 } text }
                ? text.Trim()
                : throw new SloSpecificationException($"{Child(key)} must be a non-empty scalar");
        }

        public string Scalar(string key) => OptionalScalar(key) ?? throw new SloSpecificationException($"{Child(key)} is missing");

        public string Matching(string key, Regex pattern)
        {
            var value = Scalar(key);
            return pattern.IsMatch(value) ? value : throw new SloSpecificationException($"{Child(key)}: '{value}' does not match {pattern}");
        }

        public decimal PositiveDecimal(string key)
        {
            var text = Scalar(key);
            return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new SloSpecificationException($"{Child(key)}: '{text}' is not a positive number");
        }

        public PromDuration Duration(string key) => PromDuration.Parse(Scalar(key), Child(key));

        public List<Node> Sequence(string key)
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) || value is not YamlSequenceNode sequence)
            {
                throw new SloSpecificationException($"{Child(key)} must be a list");
            }
            return sequence.Children.Select((item, index) => item is YamlMappingNode child
                ? new Node(child, $"{Child(key)}[{index}]")
                : throw new SloSpecificationException($"{Child(key)}[{index}] must be a mapping")).ToList();
        }

        private string Child(string key) => path.Length == 0 ? key : $"{path}.{key}";
    }
}

/// <summary>One burn-rate alert per SLO: named after the SLO's alert prefix and <see cref="Suffix"/>.</summary>
internal sealed record BurnRateAlert(string Suffix, string Severity, IReadOnlyList<BurnRateCondition> Conditions);

/// <summary>The burn rate exceeds <see cref="BurnRate"/> over both windows.</summary>
internal sealed record BurnRateCondition(decimal BurnRate, PromDuration Long, PromDuration Short);

/// <summary>
/// One SLO: the share of a job's requests (without those <see cref="Filter"/> leaves out) that are good must be at
/// least <see cref="Objective"/>. Bad requests are <see cref="Errors"/>, or <see cref="Requests"/> minus <see cref="Good"/>.
/// </summary>
internal sealed record Slo(
    string Name, string Alert, string Title, string Description, decimal Objective, string Job,
    string Filter, Selector Requests, Selector? Errors, Selector? Good)
{
    /// <summary>The share of requests that may fail: 1 - objective.</summary>
    public decimal Budget => 1 - Objective;
}

/// <summary>A Prometheus duration in one unit (5m, 1h, 3d), as the rules name their windows.</summary>
internal sealed partial record PromDuration(string Text, TimeSpan Length)
{
    public static PromDuration Parse(string text, string where)
    {
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            throw new SloSpecificationException($"{where}: '{text}' is not a duration in one unit (5m, 1h, 3d)");
        }
        var count = int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);
        var length = match.Groups["unit"].Value switch
        {
            "m" => TimeSpan.FromMinutes(count),
            "h" => TimeSpan.FromHours(count),
            _ => TimeSpan.FromDays(count),
        };
        return new PromDuration(text, length);
    }

    public override string ToString() => Text;

    [GeneratedRegex("^(?<count>[1-9][0-9]*)(?<unit>[mhd])$")]
    private static partial Regex Pattern();
}

/// <summary>A metric name with optional label matchers: <c>http_requests_total{status_code=~"5.."}</c>.</summary>
internal sealed partial record Selector(string Metric, string Matchers)
{
    public static Selector Parse(string text, string where)
    {
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            throw new SloSpecificationException($"{where}: '{text}' is not a metric name with optional {{matchers}}");
        }
        var matchers = match.Groups["matchers"].Success ? ParseMatchers(match.Groups["matchers"].Value, where) : "";
        return new Selector(match.Groups["metric"].Value, matchers);
    }

    /// <summary>Comma-separated label matchers, each label="value", !=, =~ or !~; returned as written.</summary>
    public static string ParseMatchers(string text, string where)
    {
        if (!MatcherList().IsMatch(text))
        {
            throw new SloSpecificationException($"{where}: '{text}' is not a list of label matchers (label=\"value\", !=, =~, !~)");
        }
        return text;
    }

    /// <summary>The selector with the job's matcher first, then its own, then the filter's.</summary>
    public string With(string job, string filter)
    {
        var matchers = new List<string> { $"job=\"{job}\"" };
        if (Matchers.Length > 0)
        {
            matchers.Add(Matchers);
        }
        matchers.Add(filter);
        return $"{Metric}{{{string.Join(',', matchers)}}}";
    }

    [GeneratedRegex("^(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<matchers>[^{}]+)\\})?$")]
    private static partial Regex Pattern();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*(=|!=|=~|!~)\"([^\"\\\\]|\\\\.)*\"(,[a-zA-Z_][a-zA-Z0-9_]*(=|!=|=~|!~)\"([^\"\\\\]|\\\\.)*\")*$")]
    private static partial Regex MatcherList();
}

internal sealed class SloSpecificationException(string message) : Exception(message);
