using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>Which store the DataApi keeps its items in, decided once at start (<see cref="DataApiFeatures.Store"/>).</summary>
public enum DataStoreKind
{
    /// <summary>A SQLite file on this machine: the default, nothing to set up.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, which several replicas on several machines can share.</summary>
    Postgres,
}

public static class DataStoreSelection
{
    /// <summary>
    /// <c>DATA_STORE=postgres</c>, or a connection string <c>ConnectionStrings__data</c> naming a server (<c>Host=</c> or
    /// <c>Server=</c>, keywords SQLite does not have) selects PostgreSQL; anything else keeps SQLite, which then refuses a
    /// connection string it cannot read as it always has. <c>DATA_STORE=postgres</c> without a connection string stops
    /// the start with one line naming both variables.
    /// </summary>
    public static DataStoreKind Decide(DataStoreOptions options, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DataStoreOptions.ConnectionStringName);
        if (string.Equals(options.Store, DataStoreOptions.PostgresStore, StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new OptionsValidationException(DataStoreOptions.StoreSetting, typeof(DataStoreOptions),
                    [$"{DataStoreOptions.StoreSetting}=postgres needs the server's connection string in {DataStoreLocation.ConnectionStringSetting} (Host=…;Database=…;Username=…)."])
                : DataStoreKind.Postgres;
        }
        if (string.IsNullOrWhiteSpace(options.Store) && !string.IsNullOrWhiteSpace(connectionString) && NamesAServer(connectionString))
        {
            return DataStoreKind.Postgres;
        }
        return DataStoreKind.Sqlite;
    }

    private static bool NamesAServer(string connectionString)
    {
        var parsed = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            parsed.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            // Not a connection string at all: SQLite's parser names the variable when the store opens.
            return false;
        }
        return parsed.ContainsKey("Host") || parsed.ContainsKey("Server");
    }
}
