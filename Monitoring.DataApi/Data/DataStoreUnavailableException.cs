namespace Monitoring.DataApi.Data;

/// <summary>
/// The store cannot serve a request for a reason outside the request (disk full, file read-only, I/O error).
/// Answered with 503 and Retry-After; the message is for the log, never for the client.
/// </summary>
public class DataStoreUnavailableException : Exception
{
    public DataStoreUnavailableException()
    {
    }

    public DataStoreUnavailableException(string message)
        : base(message)
    {
    }

    public DataStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
