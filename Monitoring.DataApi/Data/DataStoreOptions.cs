using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

public sealed class DataStoreOptions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings__data</c>) that, when set, wins over <see cref="Path"/>.</summary>
    public const string ConnectionStringName = "data";

    /// <summary>The SQLite database file. <c>DATA_PATH</c>; defaults to the user's local application data folder.</summary>
    public const string PathSetting = "DATA_PATH";

    [ConfigurationKeyName(PathSetting)]
    public string Path { get; set; } = DefaultPath;

    public const string MinFreeBytesSetting = "DATA_MIN_FREE_BYTES";

    /// <summary>Writes are refused (503) and readiness fails while less than this is free on the database's volume.</summary>
    [ConfigurationKeyName(MinFreeBytesSetting)]
    public long MinFreeBytes { get; set; } = 16 * 1024 * 1024;

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
        return options.MinFreeBytes < 0
            ? ValidateOptionsResult.Fail($"{DataStoreOptions.MinFreeBytesSetting} must be 0 or a positive number of bytes (got {options.MinFreeBytes}).")
            : ValidateOptionsResult.Success;
    }
}
