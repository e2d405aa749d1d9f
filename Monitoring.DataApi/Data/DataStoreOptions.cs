using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Data;

public sealed class DataStoreOptions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings__data</c>) that, when set, wins over <see cref="Path"/>.</summary>
    public const string ConnectionStringName = "data";

    /// <summary>The SQLite database file. <c>DATA_PATH</c>; defaults to the user's local application data folder.</summary>
    [ConfigurationKeyName("DATA_PATH")]
    public string Path { get; set; } = DefaultPath;

    public static string DefaultPath => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "Monitoring.DataApi",
        "data.db");
}

public sealed class DataStoreOptionsValidator : IValidateOptions<DataStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DataStoreOptions options) =>
        string.IsNullOrWhiteSpace(options.Path)
            ? ValidateOptionsResult.Fail("DATA_PATH must not be empty.")
            : ValidateOptionsResult.Success;
}
