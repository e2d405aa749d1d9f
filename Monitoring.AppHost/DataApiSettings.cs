using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Monitoring.AppHost;

/// <summary>Where the DataApi keeps its data: the embedded SQLite file, or a PostgreSQL server the AppHost runs.</summary>
public enum DataStore
{
    /// <summary>The default: one SQLite file, no set-up.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server with the database <c>data</c>, which every replica shares.</summary>
    Postgres,
}

/// <summary>
/// The DataApi's store and replica count: <c>Monitoring:Store</c> (<c>SQLite</c>, the default, or <c>Postgres</c>)
/// and <c>Monitoring:Replicas</c> (1, the default, to <see cref="MaxReplicas"/>; above 1 only on PostgreSQL).
/// </summary>
public sealed record DataApiSettings(DataStore Store, int Replicas)
{
    public const string StoreSettingName = "Monitoring:Store";
    public const string ReplicasSettingName = "Monitoring:Replicas";

    /// <summary>More than this many processes would not fit a development machine, nor PostgreSQL's default 100 connections.</summary>
    public const int MaxReplicas = 16;

    /// <exception cref="AppHostSettingException">A setting has a value outside its range, named in one line.</exception>
    public static DataApiSettings Read(IConfiguration configuration)
    {
        var store = configuration[StoreSettingName] switch
        {
            null or "" => DataStore.Sqlite,
            var value when value.Equals("SQLite", StringComparison.OrdinalIgnoreCase) => DataStore.Sqlite,
            var value when value.Equals("Postgres", StringComparison.OrdinalIgnoreCase) => DataStore.Postgres,
            var value => throw new AppHostSettingException($"{StoreSettingName} must be SQLite or Postgres (got '{value}')."),
        };

        var replicas = 1;
        if (configuration[ReplicasSettingName] is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out replicas) || replicas is < 1 or > MaxReplicas))
        {
            throw new AppHostSettingException($"{ReplicasSettingName} must be a whole number from 1 to {MaxReplicas} (got '{text}').");
        }
        if (store == DataStore.Sqlite && replicas > 1)
        {
            // Each replica would open the one SQLite file with a writer of its own: they would queue on its write lock,
            // and no second machine could reach the file. Replicas share a database server.
            throw new AppHostSettingException(
                $"{ReplicasSettingName} above 1 needs {StoreSettingName}=Postgres: replicas cannot share the SQLite file (got {replicas}).");
        }
        return new DataApiSettings(store, replicas);
    }
}

/// <summary>A setting of the AppHost with a bad value: <c>AppHost.cs</c> prints the message, one line, and exits.</summary>
public sealed class AppHostSettingException : InvalidOperationException
{
    public AppHostSettingException()
    {
    }

    public AppHostSettingException(string message) : base(message)
    {
    }

    public AppHostSettingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
