namespace Monitoring.DataApi.Data;

/// <summary>
/// An item as the store holds it. <see cref="ValueJson"/> is the value's UTF-8 JSON exactly as it was stored (validated
/// and minified when it was written), so a response can copy it as it is instead of parsing it or holding it as text.
/// </summary>
public sealed record StoredItem(string Key, byte[] ValueJson, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
