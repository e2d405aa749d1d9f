using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.ServiceDefaults;

/// <summary>
/// The JSON shape of every health answer: overall status and each check's status, duration and description. A
/// service's detailed report (<see cref="HealthEndpoints.MapHealthReport{TResponse}"/>) derives from it and adds
/// its own facts after these.
/// </summary>
public record HealthReportResponse(
    string Status,
    double TotalDurationMs,
    IReadOnlyDictionary<string, HealthCheckEntryResponse> Checks)
{
    public static HealthReportResponse From(HealthReport report) => new(
        report.Status.ToString(),
        report.TotalDuration.TotalMilliseconds,
        report.Entries.ToDictionary(
            entry => entry.Key,
            entry => new HealthCheckEntryResponse(
                entry.Value.Status.ToString(),
                entry.Value.Duration.TotalMilliseconds,
                entry.Value.Description)));
}

public sealed record HealthCheckEntryResponse(string Status, double DurationMs, string? Description);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthReportResponse))]
internal sealed partial class HealthReportJsonContext : JsonSerializerContext;
