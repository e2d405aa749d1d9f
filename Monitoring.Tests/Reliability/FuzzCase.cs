namespace Monitoring.Tests.Reliability;

/// <summary>
/// One generated request. <see cref="RawRequest"/> set: sent byte for byte on a socket; otherwise sent with HttpClient.
/// <see cref="KestrelMayRefuse"/>: the bytes break HTTP/1.1 on purpose, so Kestrel may refuse them itself, before any
/// application code runs, with its bare 4xx (no body, no content type).
/// </summary>
public sealed record FuzzCase(
    int Index,
    string Method,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? ContentType,
    byte[]? Body,
    bool Chunked,
    byte[]? RawRequest,
    bool KestrelMayRefuse)
{
    public bool IsHead => Method == "HEAD";

    public override string ToString()
    {
        var target = Target.Length > 120 ? $"{Target[..120]}…({Target.Length} chars)" : Target;
        var how = RawRequest is null ? "HttpClient" : $"raw {RawRequest.Length} bytes{(KestrelMayRefuse ? ", Kestrel may refuse" : string.Empty)}";
        return $"#{Index} {Method} {target} [{how}] content-type={ContentType ?? "(none)"} body={Body?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}{(Chunked ? " chunked" : string.Empty)} headers=[{string.Join(", ", Headers.Select(header => header.Key + ": " + (header.Value.Length > 40 ? header.Value[..40] + "…" : header.Value)))}]";
    }
}
