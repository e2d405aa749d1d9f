using System.Globalization;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// createdAt and updatedAt as concurrent clients of a real DataApi process see them: a write's timestamps are taken in
/// the order writes commit, so the newest updatedAt a client was answered is the item that is stored, a reader never
/// sees an item's updatedAt go back, and an item is never updated before it was created.
/// </summary>
public sealed class WriteOrderingTests(WriteOrderingTests.RunningDataApi dataApi) : IClassFixture<WriteOrderingTests.RunningDataApi>
{
    private readonly HttpClient _client = dataApi.Process.Client;

    /// <summary>One process, on a real database file, for the whole class: each test writes keys of its own.</summary>
    public sealed class RunningDataApi : IAsyncLifetime
    {
        public TemporaryDirectory Directory { get; } = new();

        public DataApiProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(Directory.Path, "data.db")));

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            Directory.Dispose();
        }
    }

    /// <summary>
    /// Rounds of 20 replaces of one key sent at once, each with its own value: once every answer is in, the stored item
    /// is the write whose answer carries the newest updatedAt, with that updatedAt. A timestamp taken before the write
    /// waits its turn to commit breaks this whenever the writes commit in another order than they took their times.
    /// </summary>
    [Fact]
    public async Task After_concurrent_replaces_the_stored_item_is_the_answer_with_the_newest_updatedAt()
    {
        const int Rounds = 10;
        const int Writers = 20;
        var failures = new List<string>();

        for (var round = 0; round < Rounds; round++)
        {
            var key = $"round-{round}";
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/data", new { key, value = "initial" })).StatusCode);

            var answers = await SendAtOnceAsync(Writers, writer => Post(key, $"round {round}, writer {writer}"));
            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.Status));

            var newestUpdatedAt = answers.Max(answer => answer.UpdatedAt);
            var newest = answers.Where(answer => answer.UpdatedAt == newestUpdatedAt).ToList();
            var stored = await ReadAsync(key);
            if (newest.Count > 1)
            {
                failures.Add($"round {round}: {newest.Count} answers share the newest updatedAt {Format(newestUpdatedAt)}, so none of them says which write is stored");
            }
            else if (stored.Value != newest[0].Value || stored.UpdatedAt != newestUpdatedAt)
            {
                failures.Add($"round {round}: stored '{stored.Value}' updated {Format(stored.UpdatedAt)}, but the newest answer was "
                    + $"'{newest[0].Value}' updated {Format(newestUpdatedAt)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Rounds} rounds of {Writers} concurrent replaces stored another write than "
            + $"the one answered with the newest updatedAt:\n{string.Join('\n', failures.Take(5))}");
    }

    /// <summary>
    /// 12 clients replace one key over and over while 4 others read it: every answer and every read has
    /// createdAt &lt;= updatedAt and the one createdAt of the item's creation, and each reader sees updatedAt only
    /// move forward.
    /// </summary>
    [Fact]
    public async Task Readers_of_a_contended_key_never_see_updatedAt_go_back_or_before_createdAt()
    {
        const int Writers = 12;
        const int WritesPerWriter = 40;
        const int Readers = 4;
        const string Key = "contended";

        using var writersDone = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(async () =>
        {
            var reads = new List<Answer>();
            while (!writersDone.IsCancellationRequested)
            {
                using var response = await _client.GetAsync($"/data/{Key}");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    continue;
                }
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                reads.Add(await AnswerAsync(response));
            }
            return reads;
        })).ToArray();

        List<Answer>[] writes;
        try
        {
            writes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                var answers = new List<Answer>();
                for (var index = 0; index < WritesPerWriter; index++)
                {
                    answers.Add(await Post(Key, $"writer {writer}, write {index}"));
                }
                return answers;
            })));
        }
        finally
        {
            await writersDone.CancelAsync();
        }
        var readsByReader = await Task.WhenAll(readers);

        var answered = writes.SelectMany(answers => answers).ToList();
        var created = Assert.Single(answered, answer => answer.Status == HttpStatusCode.Created);
        Assert.All(answered, answer => Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"answered {answer.Status}"));
        Assert.True(readsByReader.Sum(reads => reads.Count) >= Readers, "the readers read nothing while the writers wrote");

        var failures = new List<string>();
        foreach (var answer in answered.Where(answer => answer.UpdatedAt < answer.CreatedAt))
        {
            failures.Add($"answer to '{answer.Value}': updatedAt {Format(answer.UpdatedAt)} is before createdAt {Format(answer.CreatedAt)}");
        }
        foreach (var answer in answered.Where(answer => answer.CreatedAt != created.CreatedAt))
        {
            failures.Add($"answer to '{answer.Value}' ({(int)answer.Status}): createdAt {Format(answer.CreatedAt)}, the creation answered {Format(created.CreatedAt)}");
        }
        for (var reader = 0; reader < Readers; reader++)
        {
            var reads = readsByReader[reader];
            for (var index = 0; index < reads.Count; index++)
            {
                var read = reads[index];
                if (read.UpdatedAt < read.CreatedAt)
                {
                    failures.Add($"reader {reader}, read {index}: updatedAt {Format(read.UpdatedAt)} is before createdAt {Format(read.CreatedAt)}");
                }
                if (read.CreatedAt != created.CreatedAt)
                {
                    failures.Add($"reader {reader}, read {index}: createdAt {Format(read.CreatedAt)}, the creation answered {Format(created.CreatedAt)}");
                }
                if (index > 0 && read.UpdatedAt < reads[index - 1].UpdatedAt)
                {
                    failures.Add($"reader {reader}, read {index}: updatedAt went back from {Format(reads[index - 1].UpdatedAt)} "
                        + $"('{reads[index - 1].Value}') to {Format(read.UpdatedAt)} ('{read.Value}')");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} timestamp violations in {answered.Count} writes and "
            + $"{readsByReader.Sum(reads => reads.Count)} reads:\n{string.Join('\n', failures.Take(5))}");
    }

    /// <summary>
    /// 50 clients create the same new key at once: one is answered 201 with its Location, the 49 others replace it
    /// (200) and are answered the createdAt of that creation, which the stored item keeps.
    /// </summary>
    [Fact]
    public async Task Of_50_clients_racing_to_create_a_key_exactly_one_gets_201_and_every_replace_keeps_its_createdAt()
    {
        const int Keys = 10;
        const int Clients = 50;

        for (var race = 0; race < Keys; race++)
        {
            var key = $"race-{race}";
            var answers = await SendAtOnceAsync(Clients, client => Post(key, $"client {client}"));

            var created = Assert.Single(answers, answer => answer.Status == HttpStatusCode.Created);
            Assert.Equal($"/data/{key}", created.Location);
            Assert.Equal(created.CreatedAt, created.UpdatedAt);
            var replaces = answers.Where(answer => answer.Status != HttpStatusCode.Created).ToList();
            Assert.Equal(Clients - 1, replaces.Count);
            Assert.All(replaces, replace =>
            {
                Assert.Equal(HttpStatusCode.OK, replace.Status);
                Assert.Equal(created.CreatedAt, replace.CreatedAt);
                Assert.True(replace.UpdatedAt >= replace.CreatedAt,
                    $"{key}: the replace '{replace.Value}' was updated at {Format(replace.UpdatedAt)}, before the item's creation at {Format(replace.CreatedAt)}");
            });

            var stored = await ReadAsync(key);
            Assert.Equal(created.CreatedAt, stored.CreatedAt);
        }
    }

    /// <summary>The item a client's write was answered with.</summary>
    private sealed record Answer(HttpStatusCode Status, string Value, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Location);

    /// <summary>
    /// <paramref name="count"/> requests released together, once each has its task running: as close to simultaneous
    /// as a client can make them.
    /// </summary>
    private static async Task<Answer[]> SendAtOnceAsync(int count, Func<int, Task<Answer>> send)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, count).Select(index => Task.Run(async () =>
        {
            await start.Task;
            return await send(index);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(requests);
    }

    private async Task<Answer> Post(string key, string value)
    {
        using var response = await _client.PostAsJsonAsync("/data", new { key, value });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"POST {key}: {response.StatusCode}");
        return await AnswerAsync(response);
    }

    private async Task<Answer> ReadAsync(string key)
    {
        using var response = await _client.GetAsync($"/data/{key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await AnswerAsync(response);
    }

    private static async Task<Answer> AnswerAsync(HttpResponseMessage response)
    {
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Answer(
            response.StatusCode,
            item.GetProperty("value").GetString()!,
            item.GetProperty("createdAt").GetDateTimeOffset(),
            item.GetProperty("updatedAt").GetDateTimeOffset(),
            response.Headers.Location?.OriginalString);
    }

    private static string Format(DateTimeOffset instant) => instant.ToString("O", CultureInfo.InvariantCulture);
}
