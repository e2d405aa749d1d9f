using System.Text.Json;

namespace Monitoring.Tests.Infrastructure;

/// <summary>Prometheus's HTTP API (<c>/api/v1</c>), enough to query, list rules and list alerts.</summary>
public sealed class PrometheusApi(HttpClient client)
{
    /// <summary>An instant query. Fails the test when Prometheus reports an error.</summary>
    public Task<QueryResult> QueryAsync(string promql, CancellationToken cancellationToken = default) =>
        QueryAsync(promql, time: null, cancellationToken);

    /// <summary>An instant query evaluated at <paramref name="time"/> rather than now: what Prometheus had then.</summary>
    public Task<QueryResult> QueryAtAsync(string promql, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        QueryAsync(promql, time, cancellationToken);

    private async Task<QueryResult> QueryAsync(string promql, DateTimeOffset? time, CancellationToken cancellationToken)
    {
        var at = time is { } moment
            ? "&time=" + (moment.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)
            : string.Empty;
        using var response = await client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql) + at, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (body.GetProperty("status").GetString() != "success")
        {
            return new QueryResult(promql, [], $"{body.GetProperty("errorType").GetString()}: {body.GetProperty("error").GetString()}");
        }
        var data = body.GetProperty("data");
        var series = data.GetProperty("resultType").GetString() switch
        {
            "vector" or "matrix" => data.GetProperty("result").EnumerateArray().Select(item => item.Clone()).ToList(),
            // A scalar or a string is one value.
            _ => [data.GetProperty("result").Clone()],
        };
        return new QueryResult(promql, series, Error: null);
    }

    /// <summary>Polls until the query returns at least one series.</summary>
    public async Task<QueryResult> WaitForDataAsync(string promql, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(promql, cancellationToken: cancellationToken);
            if (result.Error is not null || result.Series.Count > 0 || DateTime.UtcNow > deadline)
            {
                return result;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    public async Task<JsonElement> GetDataAsync(string path, CancellationToken cancellationToken = default)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(path, cancellationToken);
        Assert.Equal("success", body.GetProperty("status").GetString());
        return body.GetProperty("data");
    }

    public sealed record QueryResult(string Query, IReadOnlyList<JsonElement> Series, string? Error)
    {
        /// <summary>The sample value of the first series of a vector result.</summary>
        public double FirstValue => double.Parse(Series[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Each series' sample values: one for a vector result, every sample in the range for a matrix result.</summary>
        public IEnumerable<IReadOnlyList<double>> Samples => Series.Select(series =>
            series.TryGetProperty("values", out var values)
                ? values.EnumerateArray().Select(SampleValue).ToList()
                : (IReadOnlyList<double>)[SampleValue(series.GetProperty("value"))]);

        // A sample is [time, "value"], the value as Prometheus formats a float: "NaN", "+Inf" and "-Inf" included.
        private static double SampleValue(JsonElement sample) => sample[1].GetString() switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var text => double.Parse(text!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
