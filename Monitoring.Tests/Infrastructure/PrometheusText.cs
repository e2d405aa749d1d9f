using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.Tests.Infrastructure;

/// <summary>A parsed Prometheus text exposition: metric families with their types and samples.</summary>
public sealed partial class PrometheusText
{
    private PrometheusText(Dictionary<string, string> types, List<Sample> samples)
    {
        Types = types;
        Samples = samples;
    }

    /// <summary>Metric family name → type (counter, gauge, histogram …), from the # TYPE lines.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Not a sample line: {line}");
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["name"].Value] = label.Groups["value"].Value.Replace("\\\"", "\"").Replace("\\\\", "\\");
            }
            samples.Add(new Sample(
                match.Groups["name"].Value,
                labels,
                double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return new PrometheusText(types, samples);
    }

    public IEnumerable<Sample> Series(string name) => Samples.Where(sample => sample.Name == name);

    public IEnumerable<Sample> Series(string name, params (string Label, string Value)[] labels) =>
        Series(name).Where(sample => labels.All(label => sample.Labels.TryGetValue(label.Label, out var value) && value == label.Value));

    /// <summary>The value of the one series with these labels, or null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels) =>
        Series(name, labels).SingleOrDefault() is { } sample ? sample.Value : null;

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        /// <summary>The label names other than the histogram's own <c>le</c>.</summary>
        public IEnumerable<string> LabelNames => Labels.Keys.Where(name => name != "le").Order(StringComparer.Ordinal);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
