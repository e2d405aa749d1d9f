using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Items_survive_a_restart_on_the_same_database_file()
    {
        using var directory = new TemporaryDirectory();
        var databasePath = Path.Combine(directory.Path, "nested", "store.db");

        using (var first = new DataApiFactory(databasePath))
        {
            var client = first.CreateClient();
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "kept", value = new { n = 1 } })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "removed", value = 2 })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/data/removed")).StatusCode);
        }
        // No connection of the first host may serve the second: what it reads comes from the file.
        SqliteConnection.ClearAllPools();
        Assert.True(File.Exists(databasePath));

        using var second = new DataApiFactory(databasePath);
        var restarted = second.CreateClient();

        var kept = await restarted.GetFromJsonAsync<JsonElement>("/data/kept");
        Assert.Equal("""{"n":1}""", kept.GetProperty("value").GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await restarted.GetAsync("/data/removed")).StatusCode);
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        using var factory = new DataApiFactory();
        await factory.CreateClient().PostAsJsonAsync("/data", new { key = "k", value = 1 });

        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }
}
