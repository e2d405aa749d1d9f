using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// What every store answers alike, through HTTP: each subclass runs these cases against its own store, on a fresh,
/// empty one per test. A store that can be taken down and brought back cheaply also runs
/// <see cref="AssertStoreDownAnswers503AndRecoversAsync"/> from a test of its own.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    /// <summary>Ordinal UTF-8 order, as both stores sort: "Ａ" (U+FF21, EF BC A1) before the emoji (F0 …), though UTF-16 would put it after.</summary>
    private static readonly string[] KeysInOrder = ["B", "a", "z", "é", "日本", "Ａ", "😀"];

    private DataApiFactory? _factory;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>The DataApi on a fresh, empty store of the subclass's kind.</summary>
    protected abstract Task<DataApiFactory> CreateFactoryAsync();

    /// <summary>Makes the store unreachable (the server stopped).</summary>
    protected abstract Task TakeStoreDownAsync();

    /// <summary>Brings the store back as it was.</summary>
    protected abstract Task BringStoreBackAsync();

    public async Task InitializeAsync()
    {
        _factory = await CreateFactoryAsync();
        Client = _factory.CreateClient();
        await PrepareAsync();
    }

    /// <summary>After the DataApi has started on the store (its schema created): empties what a previous test left.</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _factory?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_item_is_created_read_replaced_and_deleted()
    {
        var created = await PostAsync("item", """{"n":1}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = await Client.GetFromJsonAsync<JsonElement>("/data/item");
        Assert.Equal(1, first.GetProperty("value").GetProperty("n").GetInt32());
        var createdAt = first.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(createdAt, first.GetProperty("updatedAt").GetDateTimeOffset());

        var replaced = await PostAsync("item", """{"n":2}""");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var second = await Client.GetFromJsonAsync<JsonElement>("/data/item");
        Assert.Equal(2, second.GetProperty("value").GetProperty("n").GetInt32());
        Assert.Equal(createdAt, second.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(second.GetProperty("updatedAt").GetDateTimeOffset() >= createdAt);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync("/data/item")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/data/item")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync("/data/item")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("item", """{"n":3}""")).StatusCode);
    }

    [Fact]
    public async Task Of_50_concurrent_creators_of_one_new_key_exactly_one_gets_201()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => PostAsync("contended", $$"""{"writer":{{i}}}""")));

        Assert.Equal(1, responses.Count(response => response.StatusCode == HttpStatusCode.Created));
        Assert.Equal(49, responses.Count(response => response.StatusCode == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Of_50_concurrent_deletes_of_one_key_exactly_one_gets_204()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("doomed", "1")).StatusCode);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Client.DeleteAsync("/data/doomed")));

        Assert.Equal(1, responses.Count(response => response.StatusCode == HttpStatusCode.NoContent));
        Assert.Equal(49, responses.Count(response => response.StatusCode == HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Pages_follow_ordinal_UTF_8_key_order_and_cursors_with_non_ASCII_keys()
    {
        foreach (var key in KeysInOrder.Reverse())
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(key, JsonSerializer.Serialize(key))).StatusCode);
        }

        var whole = await Client.GetFromJsonAsync<JsonElement>("/data");
        Assert.Equal(KeysInOrder, Keys(whole));
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("nextCursor").ValueKind);

        var seen = new List<string>();
        var cursors = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Client.GetFromJsonAsync<JsonElement>("/data?limit=2" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor)));
            var keys = Keys(page);
            seen.AddRange(keys);
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is not null)
            {
                Assert.Equal(keys[^1], cursor);
                cursors.Add(cursor);
            }
        }
        while (cursor is not null);

        Assert.Equal(KeysInOrder, seen);
        Assert.Equal(["a", "é", "Ａ"], cursors);
        // A cursor need not be a stored key: the page starts after it in the same order.
        Assert.Equal(["日本", "Ａ", "😀"], Keys(await Client.GetFromJsonAsync<JsonElement>("/data?after=" + Uri.EscapeDataString("éz"))));
    }

    [Fact]
    public async Task Values_come_back_byte_for_byte_as_the_minified_UTF_8_that_was_stored()
    {
        // Key order kept, whitespace dropped, non-ASCII as UTF-8, escapes of control characters and quotes kept.
        var sent = "{ \"z\" : 1, \"a\" : [ 1.50, -0, 2e3 ], \"é\" : \"\\u00e9 日本 😀\", \"ctl\" : \"\\n\\t\\\"\\u0001\", \"nested\" : { \"b\" : null, \"a\" : true } }";
        var stored = "{\"z\":1,\"a\":[1.50,-0,2e3],\"é\":\"é 日本 😀\",\"ctl\":\"\\n\\t\\\"\\u0001\",\"nested\":{\"b\":null,\"a\":true}}";
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("exact", sent)).StatusCode);

        using (var item = JsonDocument.Parse(await Client.GetByteArrayAsync("/data/exact")))
        {
            Assert.Equal(stored, Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(item.RootElement.GetProperty("value"))));
        }
        using var page = JsonDocument.Parse(await Client.GetByteArrayAsync("/data"));
        var listed = page.RootElement.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(stored, Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(listed.GetProperty("value"))));
    }

    /// <summary>
    /// While the store is down reads and writes answer a 503 problem with Retry-After, the instance is not ready but
    /// alive; once the store is back the service serves again by itself, without a restart, from its first request.
    /// </summary>
    protected async Task AssertStoreDownAnswers503AndRecoversAsync()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("before", "1")).StatusCode);
        // Warm connections, more than the requests below use while the store is down: the outage breaks them all.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Client.GetAsync("/data/before")));

        await TakeStoreDownAsync();
        try
        {
            foreach (var response in new[]
            {
                await Client.GetAsync("/data/before"),
                await Client.GetAsync("/data"),
                await PostAsync("during", "2"),
                await Client.DeleteAsync("/data/before"),
            })
            {
                await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await BringStoreBackAsync();
        }

        // The first failure dropped every connection of the outage, so the first requests once the store is back succeed
        // instead of each trying (and failing on) one of the broken connections.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/data/before")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("after", "3")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/data/during")).StatusCode);
        Assert.Equal(["after", "before"], Keys(await Client.GetFromJsonAsync<JsonElement>("/data")));
    }

    protected Task<HttpResponseMessage> PostAsync(string key, string valueJson)
    {
        var body = $"{{\"key\":{JsonSerializer.Serialize(key)},\"value\":{valueJson}}}";
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.PostAsync("/data", content);
    }

    private static string[] Keys(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("key").GetString()!)];
}

/// <summary>The conformance cases on SQLite, a fresh file per test. Taking SQLite "down" has no cheap equivalent of a
/// stopped server (open connections keep reading a deleted or replaced file), so the outage case runs on PostgreSQL only;
/// SQLite's own faults are in <see cref="StoreFaultTests"/>.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    protected override Task<DataApiFactory> CreateFactoryAsync() => Task.FromResult(new DataApiFactory());

    protected override Task TakeStoreDownAsync() => throw new NotSupportedException("SQLite has no server to stop.");

    protected override Task BringStoreBackAsync() => throw new NotSupportedException("SQLite has no server to stop.");
}

/// <summary>The conformance cases on a real PostgreSQL, one server and one database for the class, emptied before each test.</summary>
[Collection(AloneCollection.Name)]
public sealed class PostgresStoreConformanceTests(PostgresFixture postgres) : StoreConformanceTests, IClassFixture<PostgresFixture>
{
    protected override Task<DataApiFactory> CreateFactoryAsync() =>
        Task.FromResult(new DataApiFactory().With("ConnectionStrings:data", postgres.ConnectionString));

    protected override Task PrepareAsync() => postgres.ExecuteAsync("TRUNCATE items");

    protected override Task TakeStoreDownAsync() => postgres.StopAsync();

    protected override Task BringStoreBackAsync() => postgres.StartAsync();

    [Fact]
    public Task With_the_server_stopped_requests_get_503_and_the_service_recovers_when_it_is_back() =>
        AssertStoreDownAnswers503AndRecoversAsync();

    [Fact]
    public async Task Npgsql_adds_no_meter_provider_with_metrics_off_and_no_tracer_provider_without_an_exporter()
    {
        using var factory = new DataApiFactory().With("ConnectionStrings:data", postgres.ConnectionString).With("METRICS_ENABLED", "false");

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/health/ready")).StatusCode);
        Assert.Null(factory.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.Null(factory.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    [Fact]
    public async Task Concurrent_writes_share_transactions()
    {
        // Every transaction that writes takes a transaction id, and txid_current() takes one itself.
        var before = await postgres.QueryAsync<long>("SELECT txid_current()");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => PostAsync($"shared-{i}", $"{i}")));

        var transactions = await postgres.QueryAsync<long>("SELECT txid_current()") - before - 1;
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        Assert.InRange(transactions, 1, 25);
    }

    [Fact]
    public async Task A_write_the_database_refuses_fails_alone_among_the_writes_it_was_sent_with()
    {
        // A statement error (class 22) for one key only. Sent with 49 others at once it shares a batch with some of them
        // (Concurrent_writes_share_transactions): that batch fails, and every other write of it must still land.
        await postgres.ExecuteAsync("""
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.key = 'poison' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22000'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """);
        try
        {
            var keys = Enumerable.Range(0, 50).Select(i => i == 25 ? "poison" : $"good-{i}").ToList();
            var responses = await Task.WhenAll(keys.Select(key => PostAsync(key, "1")));

            var statuses = keys.Zip(responses, (key, response) => (key, response.StatusCode)).ToList();
            Assert.Equal(HttpStatusCode.InternalServerError, statuses.Single(status => status.key == "poison").StatusCode);
            Assert.All(statuses.Where(status => status.key != "poison"), status => Assert.Equal(HttpStatusCode.Created, status.StatusCode));
            Assert.Equal(49L, await postgres.QueryAsync<long>("SELECT count(*) FROM items"));
        }
        finally
        {
            await postgres.ExecuteAsync("DROP TRIGGER refuse_poison ON items; DROP FUNCTION refuse_poison();");
        }
    }
}
