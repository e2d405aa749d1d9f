namespace Monitoring.DataApi.Security;

/// <summary>
/// What Kestrel accepts before the application sees a request. Past these it answers itself (414, 431) and the
/// request never reaches a handler. The body limit is <see cref="Endpoints.DataItemRequestReader.MaxBodyBytes"/>.
/// </summary>
public static class RequestLimits
{
    /// <summary>Method, target and version: a 256-character key is at most 3,072 bytes once percent-encoded.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    public const int MaxHeadersTotalBytes = 16 * 1024;

    public const int MaxHeaderCount = 64;

    /// <summary>
    /// How much of a request body the server reads and discards after answering without reading it (a 413, a 405), so
    /// that the client, which may send the whole body before it reads, gets the answer instead of a reset. The server
    /// drains for at most 5 s; past either bound it closes the connection.
    /// </summary>
    public const long MaxDrainedBodyBytes = 16 * 1024 * 1024;
}
