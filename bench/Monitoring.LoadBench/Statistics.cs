namespace Monitoring.LoadBench;

/// <summary>
/// A sample's median and spread: quartiles and 99th percentile (linear interpolation), extremes, and a 95 % confidence
/// interval of the median (NaN below six values, too few for one).
/// </summary>
internal sealed record Spread(
    double Median, double Q1, double Q3, double P99, double Min, double Max, int Count, double MedianLow95, double MedianHigh95)
{
    public static Spread Of(IEnumerable<double> values)
    {
        // A window that completed no request has no CPU per request: it is left out, not sorted first as NaN.
        var sorted = values.Where(value => !double.IsNaN(value)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, double.NaN, double.NaN);
        }
        var (low, high) = MedianInterval95(sorted);
        return new Spread(Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75), Quantile(sorted, 0.99),
            sorted[0], sorted[^1], sorted.Length, low, high);
    }

    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    /// <summary>
    /// The distribution-free interval [x(k), x(n+1−k)] (1-based order statistics), k the largest with
    /// P(Binomial(n, ½) ≤ k − 1) ≤ 2.5 %: it assumes nothing about the shape of the noise. For 20 rounds, x(6) … x(15).
    /// </summary>
    public static (double Low, double High) MedianInterval95(IReadOnlyList<double> sorted)
    {
        var n = sorted.Count;
        var k = 0;
        var cumulative = 0.0;
        // P(B = i) in logarithms, so that 0.5^n does not underflow for long runs.
        var logProbability = n * Math.Log(0.5);
        for (var i = 0; i < n; i++)
        {
            var probability = Math.Exp(logProbability);
            if (cumulative + probability > 0.025)
            {
                break;
            }
            cumulative += probability;
            k = i + 1;
            logProbability += Math.Log(n - i) - Math.Log(i + 1);
        }
        return k == 0 ? (double.NaN, double.NaN) : (sorted[k - 1], sorted[n - k]);
    }
}
