using Microsoft.Data.Sqlite;

namespace Monitoring.DataApi.Data;

internal static class SqliteCommandExtensions
{
    /// <summary>
    /// A command compiled once and run many times: its parameters, in the order named, are set by index before each run.
    /// </summary>
    public static SqliteCommand Prepare(this SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }
        command.Prepare();
        return command;
    }
}
