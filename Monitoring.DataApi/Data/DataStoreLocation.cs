using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

/// <summary>
/// The store's connection string: <c>ConnectionStrings__data</c> when set, else a file at <c>DATA_PATH</c>, and the
/// setting it came from, which every start-up failure of the store names.
/// </summary>
public sealed record DataStoreLocation(string ConnectionString, string Description, string Setting, DataStoreKind Kind = DataStoreKind.Sqlite)
{
    public const string ConnectionStringSetting = "ConnectionStrings__" + DataStoreOptions.ConnectionStringName;

    /// <summary>The folder of the database file (SQLite only; empty for a server).</summary>
    public string Directory { get; } = Kind == DataStoreKind.Sqlite ? DirectoryOf(ConnectionString) : string.Empty;

    /// <summary>
    /// The PostgreSQL server of <c>ConnectionStrings__data</c>, described by host, port and database: never the whole
    /// string, which may hold a password.
    /// </summary>
    public static DataStoreLocation ResolvePostgres(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetConnectionString(DataStoreOptions.ConnectionStringName) ?? string.Empty;
        Npgsql.NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException exception)
        {
            throw Invalid(ConnectionStringSetting, $"{ConnectionStringSetting} is not a PostgreSQL connection string: {exception.Message}");
        }
        var description = $"PostgreSQL database '{parsed.Database}' on {parsed.Host}:{parsed.Port} (connection string '{DataStoreOptions.ConnectionStringName}')";
        return new DataStoreLocation(configured, description, ConnectionStringSetting, DataStoreKind.Postgres);
    }

    public static DataStoreLocation Resolve(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetConnectionString(DataStoreOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            SqliteConnectionStringBuilder parsed;
            try
            {
                parsed = new SqliteConnectionStringBuilder(configured);
            }
            catch (ArgumentException exception)
            {
                // The value itself is not repeated: a connection string may hold a password.
                throw Invalid(ConnectionStringSetting, $"{ConnectionStringSetting} is not a SQLite connection string: {exception.Message}");
            }
            if (IsInMemory(parsed))
            {
                // Every connection to an in-memory database sees its own, and nothing in it is durable.
                throw Invalid(ConnectionStringSetting, $"{ConnectionStringSetting} names an in-memory database; the data store must be a file.");
            }
            var dataSource = parsed.DataSource;
            return new DataStoreLocation(configured, $"connection string '{DataStoreOptions.ConnectionStringName}' ({dataSource})", ConnectionStringSetting);
        }

        var path = Path.GetFullPath(services.GetRequiredService<IOptions<DataStoreOptions>>().Value.Path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        return new DataStoreLocation(connectionString, path, DataStoreOptions.PathSetting);
    }

    /// <summary>A start-up failure of the store, described as the setting that leads to it.</summary>
    public OptionsValidationException CannotOpen(Exception exception) =>
        Invalid(Setting, $"{Setting} names a store that cannot be opened ({Description}): {exception.Message}");

    private static OptionsValidationException Invalid(string setting, string message) =>
        new(setting, typeof(DataStoreOptions), [message]);

    private static string DirectoryOf(string connectionString) =>
        Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource)) ?? "/";

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:"
        || builder.DataSource.StartsWith("file::memory:", StringComparison.OrdinalIgnoreCase)
        || (builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            && builder.DataSource.Contains("mode=memory", StringComparison.OrdinalIgnoreCase));
}
