using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

public sealed class DataStoreOptions : IStartupOptions<DataStoreOptions>
{
    public static void BindFrom(IConfiguration configuration, DataStoreOptions options) => configuration.Bind(options);

    /// <summary>Name of the connection string (<c>ConnectionStrings__data</c>) that, when set, wins over <see cref="Path"/>.</summary>
    public const string ConnectionStringName = "data";

    /// <summary>The SQLite database file. <c>DATA_PATH</c>; defaults to the user's local application data folder.</summary>
    public const string PathSetting = "DATA_PATH";

    public const string StoreSetting = "DATA_STORE";
    public const string SqliteStore = "sqlite";
    public const string PostgresStore = "postgres";

    /// <summary>
    /// <c>DATA_STORE</c>: <c>sqlite</c> or <c>postgres</c>. Unset, a PostgreSQL connection string in
    /// <c>ConnectionStrings__data</c> selects PostgreSQL and anything else SQLite (<see cref="DataStoreSelection"/>).
    /// </summary>
    [ConfigurationKeyName(StoreSetting)]
    public string? Store { get; set; }

    [ConfigurationKeyName(PathSetting)]
    public string Path { get; set; } = DefaultPath;

    public const string MinFreeBytesSetting = "DATA_MIN_FREE_BYTES";

    /// <summary>Writes are refused (503) and readiness fails while less than this is free on the database's volume.</summary>
    [ConfigurationKeyName(MinFreeBytesSetting)]
    public long MinFreeBytes { get; set; } = 16 * 1024 * 1024;

    public const string WriteQueueLimitSetting = "DATA_WRITE_QUEUE_LIMIT";

    /// <summary>
    /// Writes that may wait for the writer at once; past it, writes get 503 with Retry-After. Each holds its value (at
    /// most <see cref="DataApiLimits.MaxValueBytes"/>) until it is committed, and a full queue can
    /// wait while a commit of as many is under way: at most twice this many values are held.
    /// </summary>
    [ConfigurationKeyName(WriteQueueLimitSetting)]
    public int WriteQueueLimit { get; set; } = 1024;

    public static string DefaultPath => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "Monitoring.DataApi",
        "data.db");
}

public sealed class DataStoreOptionsValidator : IValidateOptions<DataStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DataStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"{DataStoreOptions.PathSetting} must not be empty.");
        }
        if (!string.IsNullOrWhiteSpace(options.Store)
            && !string.Equals(options.Store, DataStoreOptions.SqliteStore, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(options.Store, DataStoreOptions.PostgresStore, StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail($"{DataStoreOptions.StoreSetting} must be '{DataStoreOptions.SqliteStore}' or '{DataStoreOptions.PostgresStore}' (got '{options.Store}').");
        }
        if (options.MinFreeBytes < 0)
        {
            return ValidateOptionsResult.Fail($"{DataStoreOptions.MinFreeBytesSetting} must be 0 or a positive number of bytes (got {options.MinFreeBytes}).");
        }
        return options.WriteQueueLimit < 1
            ? ValidateOptionsResult.Fail($"{DataStoreOptions.WriteQueueLimitSetting} must be a positive number of writes (got {options.WriteQueueLimit}).")
            : ValidateOptionsResult.Success;
    }
}
