using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// Seeds the items k0 … k(N−1), each {"n":i,"text":"benchmark"}: over HTTP with many concurrent connections, or
/// straight into the DataApi's SQLite file while no DataApi has it open.
/// </summary>
internal static class DataSeeder
{
    /// <summary>Concurrent POSTs while seeding over HTTP: enough to keep a store that batches its commits busy.</summary>
    public const int HttpConnections = 64;

    public static string Key(int index) => "k" + index.ToString(CultureInfo.InvariantCulture);

    public static string ValueJson(int index) => "{\"n\":" + index.ToString(CultureInfo.InvariantCulture) + ",\"text\":\"benchmark\"}";

    /// <summary>
    /// POSTs items <paramref name="from"/> … <paramref name="to"/> − 1 in order, <see cref="HttpConnections"/> at a time,
    /// until done or, when <paramref name="stopAfter"/> is given, until that time has passed. Every item it started is
    /// written when it returns; the result is the first item not written. Anything but 200 or 201 fails the seeding.
    /// </summary>
    public static async Task<int> PostAsync(string baseUrl, int from, int to, TimeSpan? stopAfter = null)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = HttpConnections })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var stopwatch = Stopwatch.StartNew();
        // The last item taken; items are taken in order, and every one taken is written before its worker looks again.
        var next = from - 1;
        async Task WorkAsync()
        {
            while (stopAfter is null || stopwatch.Elapsed < stopAfter)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= to)
                {
                    return;
                }
                var body = "{\"key\":\"" + Key(index) + "\",\"value\":" + ValueJson(index) + "}";
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri("/data", UriKind.Relative), content);
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
                {
                    throw new InvalidOperationException(
                        $"Seeding {Key(index)} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, HttpConnections).Select(_ => Task.Run(WorkAsync)));
        return Math.Min(next + 1, to);
    }

    /// <summary>
    /// Inserts items <paramref name="from"/> … <paramref name="to"/> − 1 into the <c>items</c> table the DataApi created
    /// (SqliteDataStore's schema: key, value, created_at, updated_at, timestamps ISO 8601 "O" in UTC), in one
    /// transaction; keys already there are left as they are. No DataApi may have the file open.
    /// </summary>
    public static void InsertIntoFile(string databasePath, int from, int to)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR IGNORE INTO items (key, value, created_at, updated_at) VALUES ($key, $value, $now, $now)";
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Text);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.Prepare();
        for (var index = from; index < to; index++)
        {
            key.Value = Key(index);
            value.Value = ValueJson(index);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
