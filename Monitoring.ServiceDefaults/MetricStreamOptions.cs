namespace Monitoring.ServiceDefaults;

/// <summary>
/// What the service defaults' metrics view does with each instrument (<see cref="MetricStreamPolicy"/>). A service
/// adds to it with <c>services.Configure&lt;MetricStreamOptions&gt;(…)</c>.
/// </summary>
public sealed class MetricStreamOptions
{
    /// <summary>Meters none of whose instruments are recorded.</summary>
    /// <remarks>
    /// Kestrel's memory-pool counters change on every buffer rented and returned, several times a request, and no
    /// dashboard or alert reads them.
    /// </remarks>
    public ISet<string> DroppedMeters { get; } = new HashSet<string>(StringComparer.Ordinal) { "Microsoft.AspNetCore.MemoryPool" };

    /// <summary>Single instruments, by meter and instrument name, that are not recorded.</summary>
    public ISet<(string Meter, string Instrument)> DroppedInstruments { get; } = new HashSet<(string Meter, string Instrument)>();

    /// <summary>
    /// The most series one instrument of the .NET runtime's or the framework's meters may have; measurements beyond
    /// it are counted in one <c>otel_metric_overflow="true"</c> series.
    /// </summary>
    /// <remarks>
    /// The SDK sets aside room for the limit's worth of series when an instrument is first seen. Its default, 2,000,
    /// is meant for an application's own instruments; the runtime's and Kestrel's have a handful of series each, and
    /// room for 2,000 across their thirty-odd instruments would cost megabytes of every process's memory
    /// (docs/performance.md).
    /// </remarks>
    public int FrameworkCardinalityLimit { get; set; } = 200;

    /// <summary>
    /// The most series of single instruments, by meter and instrument name, whose owner knows a bound well below the
    /// SDK's default of 2,000, whose room is about 150 KB an instrument. An instrument without tags needs the SDK's
    /// minimum, 1: its one series has a slot of its own.
    /// </summary>
    public IDictionary<(string Meter, string Instrument), int> CardinalityLimits { get; } = new Dictionary<(string Meter, string Instrument), int>();

    public static bool HasValidLimits(MetricStreamOptions options) =>
        options.FrameworkCardinalityLimit >= 1 && options.CardinalityLimits.Values.All(limit => limit >= 1);
}
