using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Three .NET runtime instruments end in ".count" without being histograms; on /metrics that becomes a "_count"
/// suffix, which Prometheus reserves for histograms and summaries (<c>promtool check metrics</c> rejects it).
/// They keep their data under names that say the same thing.
/// </summary>
public static class RuntimeMetricNames
{
    private static readonly (string Instrument, string Name)[] Renames =
    [
        ("dotnet.assembly.count", "dotnet.assemblies.loaded"),
        ("dotnet.process.cpu.count", "dotnet.process.cpus"),
        ("dotnet.timer.count", "dotnet.timers.active"),
    ];

    public static MeterProviderBuilder AddPrometheusFriendlyRuntimeNames(this MeterProviderBuilder metrics)
    {
        foreach (var (instrument, name) in Renames)
        {
            metrics.AddView(instrument, name);
        }
        return metrics;
    }
}
