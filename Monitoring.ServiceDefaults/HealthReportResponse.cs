using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>The JSON shape of a health report.</summary>
public sealed record HealthReportResponse(
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
