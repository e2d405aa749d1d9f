extern alias LoadBench;
using LoadBench::Monitoring.LoadBench;

namespace Monitoring.Tests.Bench;

/// <summary>The load report's confidence interval of a median: the order statistics of the binomial table.</summary>
public sealed class MedianIntervalTests
{
    [Theory]
    [InlineData(6, 1, 6)]
    [InlineData(20, 6, 15)]
    [InlineData(40, 14, 27)]
    [InlineData(100, 40, 61)]
    // 0.5^2000 underflows a double: each binomial term has to be computed in logarithms.
    [InlineData(2000, 956, 1045)]
    public void The_interval_is_the_tabulated_pair_of_order_statistics(int count, int lowRank, int highRank)
    {
        var ranks = Enumerable.Range(1, count).Select(rank => (double)rank).ToArray();

        var (low, high) = Spread.MedianInterval95(ranks);

        Assert.Equal(lowRank, low);
        Assert.Equal(highRank, high);
    }

    [Fact]
    public void Five_values_are_too_few_for_a_95_percent_interval()
    {
        var (low, high) = Spread.MedianInterval95([1, 2, 3, 4, 5]);

        Assert.True(double.IsNaN(low) && double.IsNaN(high));
    }

    [Fact]
    public void A_window_without_requests_is_left_out_rather_than_taken_for_the_lowest_value()
    {
        var spread = Spread.Of([double.NaN, 1, 2, 3, 4, 5, 6]);

        Assert.Equal(6, spread.Count);
        Assert.Equal((1, 6), (spread.MedianLow95, spread.MedianHigh95));
    }
}
