namespace Monitoring.DataApi.Metrics;

/// <summary>One sample of the process's resource usage.</summary>
public sealed record ProcessSnapshot(
    double CpuSeconds,
    long ResidentMemoryBytes,
    long VirtualMemoryBytes,
    double StartTimeSeconds,
    double UptimeSeconds,
    long OpenFileDescriptors,
    int Threads,
    DateTimeOffset SampledAt);
