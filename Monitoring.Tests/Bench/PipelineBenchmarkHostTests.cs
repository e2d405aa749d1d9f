extern alias Benchmarks;
using Benchmarks::Monitoring.Benchmarks.Pipeline;

namespace Monitoring.Tests.Bench;

/// <summary>
/// The in-process pipeline benchmark measures what it says: each variant's host answers the item through the
/// DataApi's pipeline, and its metrics stack (none for <see cref="PipelineVariant.NoMetrics"/>) counted that request on
/// its /metrics. <see cref="PipelineHost.StartAsync"/> refuses a host that does not; these tests run that check.
/// </summary>
public sealed class PipelineBenchmarkHostTests
{
    [Theory]
    [InlineData(PipelineVariant.NoMetrics)]
    [InlineData(PipelineVariant.DataApi)]
    [InlineData(PipelineVariant.OpenTelemetry)]
    [InlineData(PipelineVariant.PrometheusNet)]
    public async Task Each_variant_serves_the_item_and_records_it_with_its_own_metrics_only(PipelineVariant variant)
    {
        await using var host = await PipelineHost.StartAsync(variant);

        var exchange = await host.GetItemAsync();

        Assert.Equal(200, exchange.StatusCode);
        Assert.Contains("\"key\":\"bench\"", exchange.BodyText, StringComparison.Ordinal);
    }
}
