using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Reliability;

/// <summary>
/// The live managed heap of another .NET process: a full, blocking, compacting GC induced through its diagnostics port
/// (as dotnet-gcdump does), then the sizes its runtime reports for that collection on /metrics. Unlike the resident
/// set, which the GC's budgets and the allocator move by megabytes, this is what the process's objects hold.
/// </summary>
public static class ManagedHeap
{
    // ClrTraceEventParser.Keywords.GCHeapCollect: enabling it makes the runtime run a full GC.
    private const long GCHeapCollectKeyword = 0x800000;

    /// <summary>Live bytes (heap size less fragmentation, every generation) after a GC induced now.</summary>
    public static async Task<long> LiveBytesAfterFullGcAsync(int processId, HttpClient client, TimeSpan timeout)
    {
        var before = Gen2Collections(await PrometheusText.ScrapeAsync(client));
        var diagnostics = new DiagnosticsClient(processId);
        using (var session = await diagnostics.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GCHeapCollectKeyword)],
            requestRundown: false, circularBufferMB: 16, CancellationToken.None))
        {
            // The session's events are not needed, but its stream must be read for the runtime to keep writing.
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            using var deadline = new CancellationTokenSource(timeout);
            PrometheusText metrics;
            while (Gen2Collections(metrics = await PrometheusText.ScrapeAsync(client)) <= before)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            await session.StopAsync(CancellationToken.None);
            await drain;
            return Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes") - Sum(metrics, "dotnet_gc_last_collection_heap_fragmentation_size_bytes");
        }
    }

    private static double Gen2Collections(PrometheusText metrics) =>
        metrics.Value("dotnet_gc_collections_total", ("gc_heap_generation", "gen2")) ?? 0;

    private static long Sum(PrometheusText metrics, string name) => (long)metrics.Series(name).Sum(sample => sample.Value);
}
