namespace Monitoring.DataApi;

/// <summary>
/// Every limit a client of the DataApi can run into, in one place. The server's own limits (request line, headers)
/// are answered by Kestrel (414, 431) before a handler runs; the others by the data endpoints (413, 400). The OpenAPI
/// descriptions of <c>POST /data</c> and <c>GET /data</c> quote the key, value and page limits: change them together.
/// </summary>
public static class DataApiLimits
{
    /// <summary>
    /// Method, target and version (414 past it): a key of <see cref="MaxKeyLength"/> is at most 3,072 bytes once
    /// percent-encoded.
    /// </summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>All request headers together (431 past it): room for an API key and a client's usual headers.</summary>
    public const int MaxHeadersTotalBytes = 16 * 1024;

    /// <summary>Request headers in one request (431 past it): far more than a client of this API sends.</summary>
    public const int MaxHeaderCount = 64;

    /// <summary>
    /// How much of a request body the server reads and discards after answering without reading it (a 413, a 405), so
    /// that the client, which may send the whole body before it reads, gets the answer instead of a reset. The server
    /// drains for at most 5 s; past either bound it closes the connection. Bodies are refused at <see cref="MaxBodyBytes"/>.
    /// </summary>
    public const long MaxDrainedBodyBytes = 16 * 1024 * 1024;

    /// <summary>
    /// A <c>POST /data</c> body, as received or once decompressed (413 past it): bounds what one write holds in memory.
    /// </summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// A key, in Unicode scalar values (an emoji is one, as a reader counts it), so at most 1,024 UTF-8 bytes: a key is
    /// an identifier that fits in a path, a log line and an index entry.
    /// </summary>
    public const int MaxKeyLength = 256;

    /// <summary>A value as stored (minified UTF-8 JSON): bounds a write's memory and keeps a page of values small.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>
    /// Nesting of a <c>POST /data</c> body. A page of <c>GET /data</c> holds a value two levels deeper than a request
    /// body does ({"items":[{"value":…}]} against {"value":…}), so every page stays within System.Text.Json's default
    /// depth of 64, which a client reading it with default settings applies.
    /// </summary>
    public const int MaxRequestJsonDepth = 62;

    /// <summary>
    /// Nesting of a JSON response: well above a page of values accepted under <see cref="MaxRequestJsonDepth"/>, so that
    /// a store holding deeper values (written by a release without the request limit) can still be read and listed.
    /// </summary>
    public const int MaxResponseJsonDepth = 128;

    /// <summary>Items per page of <c>GET /data</c> when the client gives no <c>limit</c>.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest <c>limit</c> of <c>GET /data</c>: a page is read whole from the store before it is written.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The most bytes of stored values a page holds: a page ends early, with a next cursor, before the item that would
    /// take it past. It bounds what one list request holds in memory (a page is read whole before it is written) and
    /// the size of its response, whatever the limit; a page of 1,000 values of 1 KiB still fits.
    /// </summary>
    public const int PageValueBudgetBytes = 1024 * 1024;
}
