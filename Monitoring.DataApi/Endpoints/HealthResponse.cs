namespace Monitoring.DataApi.Endpoints;

/// <summary>The answer of <c>GET /health</c>: every check, and what the process uses.</summary>
public sealed record HealthResponse(
    string Status,
    double TotalDurationMs,
    IReadOnlyDictionary<string, HealthCheckEntryResponse> Checks,
    SystemInfo System);

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
