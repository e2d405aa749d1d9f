using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>
/// Free space on the volume that holds the database. Below <see cref="DataStoreOptions.MinFreeBytes"/> writes are
/// refused and readiness fails, so that SQLite keeps room for its WAL and checkpoints and the condition shows on
/// <c>/health/ready</c> before it shows as failed requests.
/// </summary>
public sealed class DataStoreDiskSpace(DataStoreLocation location, IOptions<DataStoreOptions> options)
{
    private readonly long _minFreeBytes = options.Value.MinFreeBytes;

    public bool HasHeadroom() => _minFreeBytes == 0
        || new DriveInfo(location.Directory).AvailableFreeSpace >= _minFreeBytes;

    public DataStoreUnavailableException NoHeadroom() => new(
        $"Less than {_minFreeBytes} bytes are free on the volume of the data store ({DataStoreOptions.MinFreeBytesSetting}); writes are refused until space is freed.");
}
