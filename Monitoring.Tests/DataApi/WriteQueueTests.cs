using Microsoft.Data.Sqlite;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// The writer's queue: writes wait in it while a commit is under way, up to DATA_WRITE_QUEUE_LIMIT; past it a write is
/// answered 503 at once instead of holding memory, and the writes that did queue are all committed.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class WriteQueueTests
{
    private const int QueueLimit = 4;

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_every_queued_write_is_committed()
    {
        using var factory = new DataApiFactory().With("DATA_WRITE_QUEUE_LIMIT", QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "first", value = 0 })).StatusCode);

        List<Task<HttpResponseMessage>> queued;
        HttpResponseMessage refused;
        using (var blocker = WriteBlocker.Hold(factory.DatabasePath))
        {
            // The writer takes this one and waits for the lock; the next ones fill its queue.
            var inCommit = client.PostAsJsonAsync("/data", new { key = "in-commit", value = 0 });
            await Task.Delay(300);
            queued = [inCommit, .. Enumerable.Range(0, QueueLimit).Select(i => client.PostAsJsonAsync("/data", new { key = $"queued-{i}", value = i }))];
            await Task.Delay(300);
            Assert.All(queued, write => Assert.False(write.IsCompleted, "A write completed while the database was locked"));

            refused = await client.PostAsJsonAsync("/data", new { key = "refused", value = 0 });

            // Busy is not broken: the instance stays ready rather than pushing the burst onto the others.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

            // Reads do not queue behind writes.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/first")).StatusCode);
        }

        await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        foreach (var response in await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/in-commit")).StatusCode);
        for (var i = 0; i < QueueLimit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/data/queued-{i}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/refused")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "refused", value = 0 })).StatusCode);
    }

    [Fact]
    public async Task A_write_whose_client_leaves_before_the_writer_reaches_it_is_not_stored_or_counted_as_acknowledged()
    {
        using var factory = new DataApiFactory();
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "first", value = 0 })).StatusCode);

        Task<HttpResponseMessage> inCommit;
        Task<HttpResponseMessage> abandoned;
        using var leaving = new CancellationTokenSource();
        using (WriteBlocker.Hold(factory.DatabasePath))
        {
            inCommit = client.PostAsJsonAsync("/data", new { key = "in-commit", value = 0 });
            await Task.Delay(300);
            // Queued behind the write in commit; its client gives up while it waits.
            abandoned = client.PostAsJsonAsync("/data", new { key = "abandoned", value = 0 }, leaving.Token);
            await Task.Delay(300);
            await leaving.CancelAsync();
            await Task.Delay(100);
        }
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.Created, (await inCommit.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/data/abandoned")).StatusCode);
        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(2, metrics.Value("http_requests_total", ("method", "POST"), ("endpoint", "/data"), ("status_code", "201")));
        Assert.Null(metrics.Value("http_requests_total", ("method", "POST"), ("endpoint", "/data"), ("status_code", "200")));
    }

    /// <summary>Another connection that holds the database's write lock until disposed.</summary>
    internal sealed class WriteBlocker : IDisposable
    {
        private readonly SqliteConnection _connection;

        private WriteBlocker(SqliteConnection connection) => _connection = connection;

        public static WriteBlocker Hold(string databasePath)
        {
            var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
            connection.Open();
            using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            return new WriteBlocker(connection);
        }

        public void Dispose()
        {
            using (var rollback = _connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            _connection.Dispose();
        }
    }
}
