using System.Text.Json;
using Monitoring.DataApi.Data;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// Writes a stored item in the shape of <see cref="OpenApi.DataItem"/>: the value copied as the UTF-8 JSON it was stored as,
/// the key escaped and the timestamps formatted as the application's JSON options would.
/// </summary>
internal static class StoredItemJson
{
    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText CreatedAtName = JsonEncodedText.Encode("createdAt");
    private static readonly JsonEncodedText UpdatedAtName = JsonEncodedText.Encode("updatedAt");

    /// <summary>
    /// Options for a writer of stored items: stored values were validated when they were written, so the writer only
    /// frames them.
    /// </summary>
    public static JsonWriterOptions WriterOptions(JsonSerializerOptions serializerOptions) =>
        new() { Encoder = serializerOptions.Encoder, SkipValidation = true };

    public static void Write(Utf8JsonWriter writer, StoredItem item)
    {
        writer.WriteStartObject();
        writer.WriteString(KeyName, item.Key);
        writer.WritePropertyName(ValueName);
        writer.WriteRawValue(item.ValueJson, skipInputValidation: true);
        writer.WriteString(CreatedAtName, item.CreatedAt);
        writer.WriteString(UpdatedAtName, item.UpdatedAt);
        writer.WriteEndObject();
    }
}
