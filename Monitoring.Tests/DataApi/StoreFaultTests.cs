using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitoring.DataApi.Data;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>Faults of the store's environment: the request was fine, so they answer 503 and the service recovers by itself.</summary>
[Collection(AloneCollection.Name)]
public sealed class StoreFaultTests
{
    private const long VolumeBytes = 4 * 1024 * 1024;
    private const long MinFreeBytes = 1024 * 1024;

    [Fact]
    public async Task A_read_only_database_refuses_writes_with_503_keeps_reads_and_is_not_ready()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "data.db");
        using (var writable = new DataApiFactory(path))
        {
            Assert.Equal(HttpStatusCode.Created, (await writable.CreateClient().PostAsJsonAsync("/data", new { key = "kept", value = 1 })).StatusCode);
        }
        SqliteConnection.ClearAllPools();

        // SQLite itself refuses every write on this connection (SQLITE_READONLY), as it does for a file it may not write.
        using var readOnly = new DataApiFactory(path).WithEnvironment("Production").With("ConnectionStrings:data", $"Data Source={path};Mode=ReadOnly");
        var client = readOnly.CreateClient();

        var post = await client.PostAsJsonAsync("/data", new { key = "new", value = 2 });
        var delete = await client.DeleteAsync("/data/kept");
        var ready = await client.GetAsync("/health/ready");

        foreach (var refused in new[] { post, delete })
        {
            var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            // The exception handler cleared the response before this problem was written: the headers are set again.
            Assert.Equal("nosniff", Assert.Single(refused.Headers.GetValues("X-Content-Type-Options")));
            Assert.DoesNotContain(path, problem.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain("readonly", problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.DoesNotContain(path, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("data-store").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/data/kept")).GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/new")).StatusCode);
    }

    [Fact]
    public async Task Below_the_free_space_floor_writes_get_503_reads_work_and_freeing_space_recovers_without_a_restart()
    {
        using var volume = new SmallVolume(VolumeBytes);
        var environment = DataApiProcess.OnLoopback(Path.Combine(volume.Path, "data.db"));
        environment["DATA_MIN_FREE_BYTES"] = MinFreeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var process = await DataApiProcess.StartReadyAsync(environment);
        var client = process.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "before", value = 1 })).StatusCode);

        volume.Fill(leaveBytes: MinFreeBytes / 2);

        var refused = await client.PostAsJsonAsync("/data", new { key = "during", value = 2 });
        var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain(volume.Path, problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/before")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data")).StatusCode);

        volume.Free();

        await Readiness.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(10), () => null);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "after", value = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/during")).StatusCode);
        Assert.Equal(3, (await client.GetFromJsonAsync<JsonElement>("/data/after")).GetProperty("value").GetInt32());
    }

    /// <summary>Without the floor, SQLite meets the full disk itself (SQLITE_FULL): still a 503, never a 500 or a lost write.</summary>
    [Fact]
    public async Task A_full_disk_without_a_floor_gives_503_for_writes_that_do_not_fit_and_loses_no_acknowledged_write()
    {
        using var volume = new SmallVolume(VolumeBytes);
        var environment = DataApiProcess.OnLoopback(Path.Combine(volume.Path, "data.db"));
        environment["DATA_MIN_FREE_BYTES"] = "0";
        var acknowledged = new List<string>();
        await using (var process = await DataApiProcess.StartReadyAsync(environment))
        {
            var client = process.Client;
            // Acknowledged before the fault: the disk filling up afterwards must not take them with it.
            for (var index = 0; index < 20; index++)
            {
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = $"before-{index}", value = $"before-{index}" })).StatusCode);
                acknowledged.Add($"before-{index}");
            }
            volume.Fill(leaveBytes: 0);

            // Just under the API's 64 KiB limit for a value: a few of these outgrow whatever room the WAL still has.
            var large = new string('x', 60 * 1024);
            HttpResponseMessage? refused = null;
            for (var attempt = 0; attempt < 100 && refused is null; attempt++)
            {
                var response = await client.PostAsJsonAsync("/data", new { key = $"large-{attempt}", value = $"large-{attempt}" + large });
                if (response.IsSuccessStatusCode)
                {
                    acknowledged.Add($"large-{attempt}");
                }
                else
                {
                    refused = response;
                }
            }

            Assert.NotNull(refused);
            await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

            volume.Free();
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "after", value = "after" + large })).StatusCode);
            acknowledged.Add("after");
        }

        // Every acknowledged write, before, during and after the fault, is there with its own value.
        await using var restarted = await DataApiProcess.StartReadyAsync(environment);
        foreach (var key in acknowledged)
        {
            var item = await restarted.Client.GetFromJsonAsync<JsonElement>($"/data/{key}");
            Assert.StartsWith(key, item.GetProperty("value").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_shared_commit_that_does_not_fit_on_the_disk_gives_each_write_its_own_answer()
    {
        using var volume = new SmallVolume(VolumeBytes);
        var databasePath = Path.Combine(volume.Path, "data.db");
        var environment = DataApiProcess.OnLoopback(databasePath);
        environment["DATA_MIN_FREE_BYTES"] = "0";
        await using var process = await DataApiProcess.StartReadyAsync(environment);
        var client = process.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "before", value = "before" })).StatusCode);
        // Room for a few small writes' WAL frames, not for the 15 pages of a value just under 64 KiB.
        volume.Fill(leaveBytes: 40 * 1024);

        Task<HttpResponseMessage> first;
        Task<HttpResponseMessage> large;
        Task<HttpResponseMessage>[] small;
        using (WriteQueueTests.WriteBlocker.Hold(databasePath))
        {
            first = client.PostAsJsonAsync("/data", new { key = "first", value = "first" });
            await Task.Delay(300);
            // These queue behind the first and are committed together, which does not fit.
            small = [client.PostAsJsonAsync("/data", new { key = "small-0", value = "small-0" })];
            await Task.Delay(50);
            large = client.PostAsJsonAsync("/data", new { key = "large", value = new string('x', 60 * 1024) });
            await Task.Delay(50);
            small = [.. small, .. new[] { 1, 2 }.Select(i => client.PostAsJsonAsync("/data", new { key = $"small-{i}", value = $"small-{i}" }))];
            await Task.Delay(300);
        }

        Assert.Equal(HttpStatusCode.Created, (await first.WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
        await (await large.WaitAsync(TimeSpan.FromSeconds(30))).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        foreach (var response in await Task.WhenAll(small).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/large")).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"small-{i}", (await client.GetFromJsonAsync<JsonElement>($"/data/small-{i}")).GetProperty("value").GetString());
        }
    }

    /// <summary>
    /// SQLite's primary result codes that describe the environment (busy, locked, out of memory, read-only, I/O, full,
    /// cannot open) are a 503 the client may retry; a code that describes the statement or the data is a 500.
    /// </summary>
    [Theory]
    [InlineData(5, true)]
    [InlineData(6, true)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    [InlineData(10, true)]
    [InlineData(13, true)]
    [InlineData(14, true)]
    [InlineData(1, false)]
    [InlineData(11, false)]
    [InlineData(19, false)]
    public void Only_sqlite_errors_of_the_environment_are_store_faults(int sqliteErrorCode, bool isStoreFault)
    {
        Assert.Equal(isStoreFault, DataStoreFaultHandler.IsStoreFault(new SqliteException("a fault", sqliteErrorCode)));
        Assert.True(DataStoreFaultHandler.IsStoreFault(new DataStoreUnavailableException("no room")));
        Assert.False(DataStoreFaultHandler.IsStoreFault(new InvalidOperationException("a bug")));
    }

    /// <summary>The in-process counterpart of the small-volume tests: a floor no volume can meet refuses every write.</summary>
    [Fact]
    public async Task A_free_space_floor_the_volume_cannot_meet_refuses_writes_with_503_and_fails_readiness()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "data.db");
        using (var roomy = new DataApiFactory(path))
        {
            Assert.Equal(HttpStatusCode.Created, (await roomy.CreateClient().PostAsJsonAsync("/data", new { key = "kept", value = 1 })).StatusCode);
        }
        SqliteConnection.ClearAllPools();

        using var floored = new DataApiFactory(path).With(DataStoreOptions.MinFreeBytesSetting, long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var client = floored.CreateClient();

        var post = await client.PostAsJsonAsync("/data", new { key = "new", value = 2 });
        await post.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), post.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/data/kept")).GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/new")).StatusCode);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void The_free_space_floor_is_0_to_turn_it_off_or_a_positive_number_of_bytes(long minFreeBytes, bool valid)
    {
        var result = new DataStoreOptionsValidator().Validate(null, new DataStoreOptions { Path = "data.db", MinFreeBytes = minFreeBytes });

        Assert.Equal(valid, result.Succeeded);
    }

    /// <summary>The documented defaults (docs/configuration.md): a 16 MiB floor, and a file in the user's local data folder.</summary>
    [Fact]
    public void The_store_defaults_to_a_16_MiB_floor_and_a_file_in_the_local_application_data_folder()
    {
        var options = new DataStoreOptions();

        Assert.Equal(16 * 1024 * 1024, options.MinFreeBytes);
        Assert.EndsWith(Path.Combine("Monitoring.DataApi", "data.db"), options.Path, StringComparison.Ordinal);
        Assert.StartsWith(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), options.Path, StringComparison.Ordinal);
    }
}
