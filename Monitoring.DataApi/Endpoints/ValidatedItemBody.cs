namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// A <c>POST /data</c> body that passed every rule: the key, and the value as minified UTF-8 JSON
/// (<see cref="JsonMinifier"/>), ready for the store.
/// </summary>
public sealed record ValidatedItemBody(string Key, byte[] ValueJson);
