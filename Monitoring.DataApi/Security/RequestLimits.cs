namespace Monitoring.DataApi.Security;

/// <summary>
/// What Kestrel accepts before the application sees a request. Past these it answers itself (414, 431) and the
/// request never reaches a handler. The body limit is <see cref="Endpoints.DataItemRequestReader.MaxBodyBytes"/>.
/// </summary>
public static class RequestLimits
{
    /// <summary>Method, target and version: a 256-character key is at most 2,304 bytes once percent-encoded.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    public const int MaxHeadersTotalBytes = 16 * 1024;

    public const int MaxHeaderCount = 64;
}
