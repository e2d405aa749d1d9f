using System.Text.Json.Serialization;
using Monitoring.ServiceDefaults;

namespace Monitoring.DataApi.Endpoints;

/// <summary>The answer of <c>GET /health</c>: the health report every probe answers, and what the process uses.</summary>
public sealed record HealthResponse : HealthReportResponse
{
    public HealthResponse(HealthReportResponse report, SystemInfo system)
        : base(report) => System = system;

    /// <summary>After the report's own fields.</summary>
    [JsonPropertyOrder(1)]
    public SystemInfo System { get; }
}

public sealed record SystemInfo(
    string Version,
    double UptimeSeconds,
    double CpuSeconds,
    long ResidentMemoryBytes,
    long VirtualMemoryBytes,
    int Threads,
    long OpenFileDescriptors,
    DateTimeOffset StartTime,
    DateTimeOffset SampledAt);
