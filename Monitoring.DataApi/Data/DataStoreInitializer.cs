namespace Monitoring.DataApi.Data;

/// <summary>Creates the schema before the server accepts requests.</summary>
public sealed partial class DataStoreInitializer(IDataStore store, ILogger<DataStoreInitializer> logger, DataStoreLocation location) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        LogStoreOpened(logger, location.Description);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Data store ready: {Location}")]
    private static partial void LogStoreOpened(ILogger logger, string location);
}
