namespace Monitoring.DataApi.Endpoints;

/// <summary>The answer of <c>GET /</c>.</summary>
public sealed record ServiceInfo(
    string Name,
    string Version,
    string Environment,
    double UptimeSeconds,
    IReadOnlyDictionary<string, string> Links);
