namespace Monitoring.LoadBench;

/// <summary>A sample's median and spread: quartiles and 99th percentile (linear interpolation) and extremes.</summary>
internal sealed record Spread(double Median, double Q1, double Q3, double P99, double Min, double Max, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }
        return new Spread(Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75), Quantile(sorted, 0.99), sorted[0], sorted[^1], sorted.Length);
    }

    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
