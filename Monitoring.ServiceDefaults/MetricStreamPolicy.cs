using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Monitoring.ServiceDefaults;

/// <summary>
/// The service defaults' one metrics view: which instruments are dropped, which are renamed, and how many series the
/// framework's instruments, and those a service gives a limit of their own, may have.
/// </summary>
/// <remarks>
/// One view decides everything because views do not compose: an instrument that two views match gets a stream from
/// each, so one view's drop would be undone by another's rename or limit.
/// </remarks>
public sealed class MetricStreamPolicy(MetricStreamOptions options)
{
    // Three runtime instruments end in ".count" without being histograms; on /metrics that becomes a "_count" suffix,
    // which Prometheus reserves for histograms and summaries (promtool check metrics rejects it). They keep their data
    // under names that say the same thing.
    private static readonly Dictionary<string, string> RuntimeRenames = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers.active",
    };

    private const string RuntimeMeter = "System.Runtime";

    /// <summary>The view: <see cref="MetricStreamConfiguration.Drop"/>, a configuration, or null for the SDK's defaults.</summary>
    public MetricStreamConfiguration? Configure(Instrument instrument)
    {
        var meter = instrument.Meter.Name;
        if (options.DroppedMeters.Contains(meter) || options.DroppedInstruments.Contains((meter, instrument.Name)))
        {
            return MetricStreamConfiguration.Drop;
        }
        var hasOwnLimit = options.CardinalityLimits.TryGetValue((meter, instrument.Name), out var ownLimit);
        if (!hasOwnLimit && !IsFrameworkMeter(meter))
        {
            return null;
        }
        return new MetricStreamConfiguration
        {
            Name = meter == RuntimeMeter ? RuntimeRenames.GetValueOrDefault(instrument.Name) : null,
            CardinalityLimit = hasOwnLimit ? ownLimit : options.FrameworkCardinalityLimit,
        };
    }

    private static bool IsFrameworkMeter(string meter) =>
        meter.StartsWith("System.", StringComparison.Ordinal) || meter.StartsWith("Microsoft.", StringComparison.Ordinal);
}
