using System.Text.Json;

namespace Monitoring.Peers;

/// <summary>The same shape as the DataApi's DataItem, so that every variant serialises the same JSON body.</summary>
internal sealed record BenchItem(string Key, JsonElement Value, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
