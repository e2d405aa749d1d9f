namespace Monitoring.LoadBench;

/// <summary>
/// One server under test: what it is, how to start it, and whether it needs the benchmark item seeded.
/// <paramref name="Program"/> is an assembly run with <c>dotnet</c>, or, when <paramref name="IsNative"/>, the DataApi's
/// native (AOT) executable, run as itself.
/// </summary>
internal sealed record Variant(
    string Name,
    string Description,
    string Program,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    bool IsDataApi,
    bool IsNative = false)
{
    public const string MetricsOn = "dataapi-metrics-on";
    public const string MetricsOff = "dataapi-metrics-off";
    public const string MetricsOffTwin = "dataapi-metrics-off-twin";
    public const string Bare = "bare";
    public const string PrometheusNet = "prometheus-net";
    public const string OpenTelemetry = "otel";

    /// <summary>The data-path suite's DataApi: as shipped, metrics on.</summary>
    public const string DataPathDataApi = "dataapi";

    /// <summary>The data-path suite's DataApi as its native (AOT) executable, the container image's build: as shipped, metrics on.</summary>
    public const string DataPathDataApiAot = "dataapi-aot";

    /// <summary>The data-path suite's DataApi on the harness's PostgreSQL (one process; more with <c>--replicas</c>).</summary>
    public const string DataPathDataApiPostgres = "dataapi-postgres";

    public const string DataPathVariable = "DATA_PATH";
    public const string ConnectionStringVariable = "ConnectionStrings__data";
    public const string DataStoreVariable = "DATA_STORE";
    public const string MetricsEnabledVariable = "METRICS_ENABLED";

    /// <summary>The JSON value of the benchmark item, the same in every variant.</summary>
    public const string ValueJson = """{"n":42,"text":"benchmark"}""";

    /// <summary>
    /// Every variant; without the peers, the DataApi's three and <see cref="Bare"/>, which the report is relative to.
    /// </summary>
    public static IReadOnlyList<Variant> All(RepositoryLayout layout, string dataDirectory, bool withPeers = true)
    {
        List<Variant> variants =
        [
            DataApi(layout, MetricsOn, "The DataApi, default configuration (its metrics middleware, OpenTelemetry, /metrics)", dataDirectory, metricsEnabled: true),
            DataApi(layout, MetricsOff, "The DataApi with METRICS_ENABLED=false (no metrics middleware, no MeterProvider, no /metrics)", dataDirectory, metricsEnabled: false),
            // Two processes of one build differ by a few µs per request (memory layout, JIT decisions): the A/A pair
            // shows how large a difference this run can resolve.
            DataApi(layout, MetricsOffTwin, "A second, identical metrics-off DataApi process: the A/A control", dataDirectory, metricsEnabled: false),
            Peer(layout, Bare, "Kestrel minimal API, the same route from memory, no metrics: the ceiling", "bare"),
        ];
        if (withPeers)
        {
            variants.Add(Peer(layout, PrometheusNet, "The same route with prometheus-net.AspNetCore UseHttpMetrics + MapMetrics", "prometheus-net"));
            variants.Add(Peer(layout, OpenTelemetry, "The same route with OpenTelemetry AddAspNetCoreInstrumentation metrics + Prometheus exporter", "otel"));
        }
        return variants;
    }

    /// <param name="native">The native (AOT) executable rather than the JIT build's assembly.</param>
    public static Variant DataApi(RepositoryLayout layout, string name, string description, string dataDirectory, bool metricsEnabled, bool native = false) =>
        new(name, description, native ? layout.DataApiNativeExecutable : layout.DataApiAssembly, [],
            new Dictionary<string, string>
            {
                [DataPathVariable] = Path.Combine(dataDirectory, name + ".db"),
                [MetricsEnabledVariable] = metricsEnabled ? "true" : "false",
            },
            IsDataApi: true,
            IsNative: native);

    /// <summary>The DataApi as shipped (metrics on) with the PostgreSQL store on <paramref name="connectionString"/>.</summary>
    public static Variant DataApiOnPostgres(RepositoryLayout layout, string name, string description, string connectionString) =>
        new(name, description, layout.DataApiAssembly, [],
            new Dictionary<string, string>
            {
                [ConnectionStringVariable] = connectionString,
                [DataStoreVariable] = "postgres",
                [MetricsEnabledVariable] = "true",
            },
            IsDataApi: true);

    /// <summary>The data-path suite's ceiling: bare Kestrel with GET /data/{key} and POST /data from memory.</summary>
    public static Variant DataPathBare(RepositoryLayout layout) =>
        new(Bare, "Kestrel minimal API, GET /data/{key} and POST /data from a ConcurrentDictionary, nothing durable, no metrics: the ceiling",
            layout.PeersAssembly, ["--variant", "bare", "--data-routes"], new Dictionary<string, string>(), IsDataApi: false);

    private static Variant Peer(RepositoryLayout layout, string name, string description, string variant) =>
        new(name, description, layout.PeersAssembly, ["--variant", variant, "--value", ValueJson], new Dictionary<string, string>(), IsDataApi: false);
}
