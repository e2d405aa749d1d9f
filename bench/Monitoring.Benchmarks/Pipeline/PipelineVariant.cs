namespace Monitoring.Benchmarks.Pipeline;

/// <summary>Which metrics, if any, the DataApi's pipeline records for the benchmark's request.</summary>
public enum PipelineVariant
{
    /// <summary>The DataApi with <c>METRICS_ENABLED=false</c>: no instruments, no MeterProvider, no <c>/metrics</c>.</summary>
    NoMetrics,

    /// <summary>The DataApi as shipped: its http_* and process_* instruments, the ServiceDefaults MeterProvider, <c>/metrics</c>.</summary>
    DataApi,

    /// <summary>The DataApi without its metrics, plus OpenTelemetry's ASP.NET Core instrumentation and Prometheus exporter.</summary>
    OpenTelemetry,

    /// <summary>The DataApi without its metrics, plus prometheus-net's <c>UseHttpMetrics</c> and <c>MapMetrics</c>.</summary>
    PrometheusNet,
}
