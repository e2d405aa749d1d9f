using Microsoft.Extensions.Configuration;

namespace Monitoring.ServiceDefaults;

/// <summary>
/// Traces leave the process only for an OTLP endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). Without one nothing records
/// them, the service's own instrumentation nor a library's: recording them would cost every request for nothing.
/// </summary>
public static class TraceExport
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static bool IsEnabled(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
}
