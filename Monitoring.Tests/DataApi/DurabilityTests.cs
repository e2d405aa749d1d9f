using System.Collections.Concurrent;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

public sealed class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_write_and_delete_survives_a_kill_9()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));

        var written = new ConcurrentDictionary<string, int>();
        var deleted = new ConcurrentBag<string>();
        await using (var process = await DataApiProcess.StartReadyAsync(environment))
        {
            var client = process.Client;

            await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
            {
                var key = $"key-{i}";
                var response = await client.PostAsJsonAsync("/data", new { key, value = i }, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    written[key] = i;
                }
                if (i % 5 == 0 && (await client.DeleteAsync($"/data/{key}", cancellationToken)).StatusCode == HttpStatusCode.NoContent)
                {
                    deleted.Add(key);
                }
            });

            // The moment the last acknowledgement arrived: no graceful shutdown, no checkpoint.
            await process.KillAsync();
        }
        Assert.Equal(200, written.Count);
        Assert.Equal(40, deleted.Count);

        await using var restarted = await DataApiProcess.StartReadyAsync(environment);
        foreach (var (key, value) in written)
        {
            var response = await restarted.Client.GetAsync($"/data/{key}");
            if (deleted.Contains(key))
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(value, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
            }
        }
    }
}
