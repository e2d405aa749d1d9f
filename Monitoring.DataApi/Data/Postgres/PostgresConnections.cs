using Npgsql;

namespace Monitoring.DataApi.Data.Postgres;

/// <summary>
/// Runs the store's statements on connections rented from the pooled <see cref="NpgsqlDataSource"/> that Aspire's client
/// integration registers, and tells a fault of the database (503) from a fault of the statement (a bug, 500).
/// </summary>
internal sealed partial class PostgresConnections(NpgsqlDataSource dataSource, ILogger logger)
{
    /// <summary>
    /// Runs the operation on a pooled connection. A fault of the server or of the way to it (refused, reset, shut down,
    /// out of connections) becomes <see cref="DataStoreUnavailableException"/> (503 with Retry-After); when the
    /// connection itself failed the pool is cleared, so that the idle connections to a server that went away are not
    /// tried one request at a time and the next request connects afresh: the store recovers by itself.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await operation(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException exception) when (IsStoreFault(exception) && !cancellationToken.IsCancellationRequested)
        {
            if (IsConnectionFault(exception))
            {
                // The message only: whoever catches the exception logs it whole (the fault handler, the health check) or
                // turns it into the one line of a failed start.
                LogPoolCleared(logger, exception.Message);
                dataSource.Clear();
            }
            throw new DataStoreUnavailableException($"The PostgreSQL store failed: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Every failure except those of the statement itself (data exceptions, class 22; constraint violations, 23; syntax
    /// and access rules, 42), which are bugs and stay 500s.
    /// </summary>
    private static bool IsStoreFault(NpgsqlException exception) =>
        exception is not PostgresException { SqlState: var state } || !(state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("42", StringComparison.Ordinal));

    /// <summary>No answer from the server (refused, reset, timed out), or the server ending the session (class 08, 57P).</summary>
    private static bool IsConnectionFault(NpgsqlException exception) => exception is not PostgresException { SqlState: var state }
        || state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A connection to the PostgreSQL store failed ({Reason}); the connection pool is cleared")]
    private static partial void LogPoolCleared(ILogger logger, string reason);
}
