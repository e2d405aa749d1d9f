using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The chart of one instrument on the Aspire dashboard's metrics page (Graph view), read from the data Plotly plots
/// rather than from the picture, and its dimension filters. For a counter each plotted point is, over the dimensions
/// the filters let through, the sum of each dimension's cumulative value in the point's interval (the dashboard's
/// ChartBase.TryCalculatePoint), so the newest point is the counter's total for those dimensions. The Table view
/// would say the same but throws in Aspire 13.6.5.
/// </summary>
public sealed class AspireMetricChart(IPage page)
{
    // The one line trace of a non-histogram chart; the other trace (markers) holds the exemplars.
    private const string PlottedValuesScript = """
        () => {
            const plot = document.querySelector('.js-plotly-plot');
            if (!plot || !plot.data) return null;
            const lines = plot.data.filter(trace => trace.mode !== 'markers');
            if (lines.length !== 1) throw new Error(`expected one line trace, found ${lines.length}`);
            return lines[0].y;
        }
        """;

    // The markers trace: one point per exemplar the chart draws, its tooltip (the span's title when the dashboard has
    // the span) and the trace and span a click opens (app-metrics.js).
    private const string ExemplarsScript = """
        () => {
            const plot = document.querySelector('.js-plotly-plot');
            if (!plot || !plot.data) return [];
            const markers = plot.data.find(trace => trace.mode === 'markers');
            if (!markers || !markers.traceData) return [];
            return markers.traceData.map((data, i) => ({ traceId: data.traceId || '', spanId: data.spanId || '', tooltip: String(markers.text[i] || '') }));
        }
        """;

    public sealed record Exemplar(string TraceId, string SpanId, string Tooltip);

    /// <summary>The exemplars the chart draws now.</summary>
    public async Task<IReadOnlyList<Exemplar>> ExemplarsAsync()
    {
        var points = await page.EvaluateAsync<JsonElement>(ExemplarsScript);
        return points.EnumerateArray()
            .Select(point => new Exemplar(point.GetProperty("traceId").GetString()!, point.GetProperty("spanId").GetString()!, point.GetProperty("tooltip").GetString()!))
            .ToList();
    }

    /// <summary>
    /// Lets through only <paramref name="value"/> of <paramref name="dimension"/>. Clicking a value's tag in the
    /// filters selects that value alone; the tags the filter includes are then checked to be exactly that one.
    /// </summary>
    public async Task ShowOnlyAsync(string dimension, string value)
    {
        var row = page.Locator("tr.fluent-data-grid-row").Filter(new() { Has = page.Locator($"td[title='{dimension}']") });
        await row.Locator("button.filter-value-tag", new() { HasTextRegex = new Regex($"^{Regex.Escape(value)}$") }).ClickAsync();
        await Assertions.Expect(row.Locator("button.filter-value-tag.included-in-filters")).ToHaveTextAsync([value]);
    }

    /// <summary>The newest plotted value, or null while the chart has none.</summary>
    public async Task<double?> NewestValueAsync()
    {
        var values = await page.EvaluateAsync<JsonElement>(PlottedValuesScript);
        return values.ValueKind != JsonValueKind.Array
            ? null
            : values.EnumerateArray().Where(value => value.ValueKind == JsonValueKind.Number).Select(value => value.GetDouble())
                .Cast<double?>().LastOrDefault();
    }

    /// <summary>
    /// Polls the newest plotted value until it is <paramref name="expected"/> or <paramref name="timeout"/> passes,
    /// and returns the last value read: measurements reach the dashboard at the OTLP export interval.
    /// </summary>
    public async Task<double?> WaitForNewestValueAsync(double expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var newest = await NewestValueAsync();
        while (newest != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            newest = await NewestValueAsync();
        }
        return newest;
    }
}
