using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

public static partial class DataStoreInitializer
{
    /// <summary>
    /// Opens the store and creates its schema before the server listens. A store that cannot be opened (a folder that
    /// cannot be made, a directory or a device where the file should be, a malformed connection string) ends the start
    /// as a bad setting does: one line naming the setting, exit code 1.
    /// </summary>
    public static async Task InitializeDataStoreAsync(this WebApplication app)
    {
        var location = app.Services.GetRequiredService<DataStoreLocation>();
        try
        {
            await app.Services.GetRequiredService<IDataStore>().InitializeAsync(app.Lifetime.ApplicationStopping);
        }
        catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException
            or Npgsql.NpgsqlException or DataStoreUnavailableException)
        {
            throw location.CannotOpen(exception);
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DataStoreInitializer));
        LogStoreOpened(logger, location.Description);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data store ready: {Location}")]
    private static partial void LogStoreOpened(ILogger logger, string location);
}
