extern alias AppHost;

using System.Globalization;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The stack scaled out as <c>--Monitoring:Store=Postgres --Monitoring:Replicas=3</c>, started through the AppHost with
/// local processes only: PostgreSQL from Debian's binaries, three DataApi replicas on it, and the local Prometheus
/// scraping each replica. Then a known set of requests, each addressed to one replica's own port: every replica writes
/// keys that the two others read back. <see cref="CountedAt"/> is a moment after Prometheus scraped every replica once
/// more, so that queries at that moment see every request, whatever the tests do to the replicas afterwards.
/// </summary>
public sealed class ScaleOutStackFixture : IAsyncLifetime
{
    public const int ReplicaCount = 3;
    public const int WritesPerReplica = 4;

    private const string DataApi = "dataapi";

    private readonly Dictionary<(string Instance, string Method, string Endpoint, string Status), int> _sent = [];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>The replicas, ordered by resource id, as they were once all healthy.</summary>
    public IReadOnlyList<Replica> Replicas { get; private set; } = [];

    /// <summary>Each write through one replica, and what the two others answered for its key.</summary>
    public IReadOnlyList<CrossRead> CrossReads { get; private set; } = [];

    /// <summary>The requests sent to each replica's data endpoints, by the labels its <c>http_requests_total</c> gives them.</summary>
    public IReadOnlyDictionary<(string Instance, string Method, string Endpoint, string Status), int> Sent => _sent;

    /// <summary>A moment after every replica's last scrape that followed the traffic: query here to count it.</summary>
    public DateTimeOffset CountedAt { get; private set; }

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StackFixture.Timeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            ["--Monitoring:StackMode=LocalProcesses", "--Monitoring:Store=Postgres", $"--Monitoring:Replicas={ReplicaCount}"], cancellation.Token);
        builder.CreateResourceBuilder<ProjectResource>(DataApi)
            // Nobody listens on the OTLP endpoint the testing builder injects; exporting to it only slows shutdown.
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        var healthy = await WaitForReplicasAsync(
            replicas => replicas.Count(replica => replica.Snapshot.State?.Text == KnownResourceStates.Running
                && replica.Snapshot.HealthStatus == HealthStatus.Healthy) >= ReplicaCount,
            cancellation.Token);
        Replicas = healthy.Select(Replica.From).OrderBy(replica => replica.ResourceId, StringComparer.Ordinal).ToList();
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cancellation.Token);
        Prometheus = new PrometheusApi(_app.CreateHttpClient("prometheus", "http"));

        await SendTrafficAsync(cancellation.Token);
        await WaitForScrapesAfterAsync(DateTimeOffset.UtcNow, cancellation.Token);
        CountedAt = DateTimeOffset.UtcNow;
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            replica.Client.Dispose();
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// Watches the DataApi's replicas (one resource, one snapshot per replica) until <paramref name="done"/> holds for the
    /// latest snapshot of each, and returns those.
    /// </summary>
    public async Task<IReadOnlyList<ResourceEvent>> WaitForReplicasAsync(Func<IReadOnlyCollection<ResourceEvent>, bool> done, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, ResourceEvent>(StringComparer.Ordinal);
        await foreach (var update in App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Resource.Name != DataApi)
            {
                continue;
            }
            latest[update.ResourceId] = update;
            if (done(latest.Values))
            {
                return [.. latest.Values];
            }
        }
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Waits until Prometheus has scraped every replica after <paramref name="moment"/>.</summary>
    public async Task WaitForScrapesAfterAsync(DateTimeOffset moment, CancellationToken cancellationToken)
    {
        var after = moment.ToUnixTimeMilliseconds() / 1000.0;
        var query = $"timestamp(up{{job=\"dataapi\"}}) > {after.ToString("F3", CultureInfo.InvariantCulture)}";
        while (true)
        {
            var scraped = await Prometheus.QueryAsync(query, cancellationToken);
            Assert.Null(scraped.Error);
            if (scraped.Series.Count >= ReplicaCount)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>
    /// Each replica in turn creates <see cref="WritesPerReplica"/> keys, and each key is read through the two other replicas.
    /// Every request goes to one replica's own port, and is counted under that replica's Prometheus instance.
    /// </summary>
    private async Task SendTrafficAsync(CancellationToken cancellationToken)
    {
        var crossReads = new List<CrossRead>();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var writer = 0; writer < Replicas.Count; writer++)
        {
            for (var n = 0; n < WritesPerReplica; n++)
            {
                var key = $"scale-out-{run}-{writer}-{n}";
                var value = $$"""{"writer":"{{Replicas[writer].ResourceId}}","n":{{n}}}""";
                using var write = await Replicas[writer].Client.PostAsync(
                    "/data", new StringContent($$"""{"key":"{{key}}","value":{{value}}}""", System.Text.Encoding.UTF8, "application/json"), cancellationToken);
                Count(Replicas[writer], "POST", "/data", write.StatusCode);

                var reads = new List<(Replica Reader, HttpStatusCode Status, string? Value)>();
                foreach (var reader in Replicas.Where((_, index) => index != writer))
                {
                    using var read = await reader.Client.GetAsync($"/data/{key}", cancellationToken);
                    Count(reader, "GET", "/data/{key}", read.StatusCode);
                    var body = await read.Content.ReadAsStringAsync(cancellationToken);
                    reads.Add((reader, read.StatusCode,
                        read.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("value").GetRawText() : null));
                }
                crossReads.Add(new CrossRead(Replicas[writer], key, value, write.StatusCode, reads));
            }
        }
        CrossReads = crossReads;
    }

    private void Count(Replica replica, string method, string endpoint, HttpStatusCode status)
    {
        var labels = (replica.Instance, method, endpoint, ((int)status).ToString(CultureInfo.InvariantCulture));
        _sent[labels] = _sent.GetValueOrDefault(labels) + 1;
    }

    /// <summary>One replica of the DataApi: its resource id, its own port (and Prometheus instance), and the process Aspire started for it.</summary>
    public sealed record Replica(string ResourceId, int Port, int ProcessId)
    {
        public string Instance => $"localhost:{Port}";

        public HttpClient Client { get; } = new() { BaseAddress = new Uri($"http://localhost:{Port}"), Timeout = TimeSpan.FromSeconds(10) };

        public static Replica From(ResourceEvent update) => new(
            update.ResourceId,
            int.Parse(update.Snapshot.EnvironmentVariables.Single(variable => variable.Name == "PORT").Value!, CultureInfo.InvariantCulture),
            Convert.ToInt32(update.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture));
    }

    public sealed record CrossRead(Replica Writer, string Key, string Value, HttpStatusCode WriteStatus, IReadOnlyList<(Replica Reader, HttpStatusCode Status, string? Value)> Reads);
}

/// <summary>The scaled-out stack, alone: it runs three replicas, PostgreSQL and Prometheus, and kills a replica.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleOutStackCollection : ICollectionFixture<ScaleOutStackFixture>
{
    public const string Name = "Whole stack, scaled out";
}
