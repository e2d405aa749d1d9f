namespace Monitoring.DataApi.Endpoints;

/// <summary>A validated <c>POST /data</c> body: the key and the value as minified JSON text.</summary>
public sealed record DataItemWrite(string Key, string ValueJson);
