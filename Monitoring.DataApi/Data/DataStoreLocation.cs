using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>The store's connection string: <c>ConnectionStrings__data</c> when set, else a file at <c>DATA_PATH</c>.</summary>
public sealed record DataStoreLocation(string ConnectionString, string Description)
{
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
}
