using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>The store's connection string: <c>ConnectionStrings__data</c> when set, else a file at <c>DATA_PATH</c>.</summary>
public sealed record DataStoreLocation(string ConnectionString, string Description)
{
    /// <summary>The folder of the database file; null for an in-memory database.</summary>
    public string? Directory { get; } = DirectoryOf(ConnectionString);

    public static DataStoreLocation Resolve(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetConnectionString(DataStoreOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new DataStoreLocation(configured, $"connection string '{DataStoreOptions.ConnectionStringName}'");
        }

        var path = Path.GetFullPath(services.GetRequiredService<IOptions<DataStoreOptions>>().Value.Path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        return new DataStoreLocation(connectionString, path);
    }

    private static string? DirectoryOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        return inMemory ? null : Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
    }
}
