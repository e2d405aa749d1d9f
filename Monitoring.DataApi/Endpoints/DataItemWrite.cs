namespace Monitoring.DataApi.Endpoints;

/// <summary>A validated <c>POST /data</c> body: the key and the value as minified UTF-8 JSON (<see cref="JsonMinifier"/>).</summary>
public sealed record DataItemWrite(string Key, byte[] ValueJson);
