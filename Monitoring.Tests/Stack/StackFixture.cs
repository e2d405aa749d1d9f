extern alias AppHost;

using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The whole stack started once through the AppHost — the DataApi and a real Prometheus process (the local binary,
/// so that no test waits for a container runtime) — with about 20 seconds of mixed traffic behind it.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private readonly TemporaryDirectory _directory = new();
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public HttpClient DataApi { get; private set; } = null!;

    public PrometheusApi Prometheus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            ["--Monitoring:StackMode=LocalProcesses"], cancellation.Token);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(_directory.Path, "data.db"))
            .WithEnvironment("FAULT_INJECTION_ENABLED", "true")
            // Nobody listens on the OTLP endpoint the testing builder injects; exporting to it only slows shutdown.
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("dataapi", cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cancellation.Token);

        DataApi = _app.CreateHttpClient("dataapi");
        Prometheus = new PrometheusApi(_app.CreateHttpClient("prometheus", "http"));

        await SendTrafficAsync(DataApi, TimeSpan.FromSeconds(20), cancellation.Token);
        // The last scrape after the traffic must have landed before the tests query.
        await Task.Delay(TimeSpan.FromSeconds(6), cancellation.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _directory.Dispose();
    }

    /// <summary>Every endpoint, successes and every kind of error (injected 500s included), spread over several scrapes.</summary>
    private static async Task SendTrafficAsync(HttpClient client, TimeSpan duration, CancellationToken cancellationToken)
    {
        var end = DateTime.UtcNow + duration;
        for (var round = 0; DateTime.UtcNow < end; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                var key = $"item-{round}-{i}";
                await client.PostAsJsonAsync("/data", new { key, value = new { round, i, text = new string('x', 50 * i) } }, cancellationToken);
                await client.GetAsync($"/data/{key}", cancellationToken);
                await client.SendAsync(Faulted(HttpMethod.Get, $"/data/{key}", 500), cancellationToken);
            }
            await client.DeleteAsync($"/data/item-{round}-0", cancellationToken);
            await client.GetAsync("/data?limit=3", cancellationToken);
            await client.GetAsync("/data/missing-key", cancellationToken);
            await client.PostAsync("/data", new StringContent("{not json", Encoding.UTF8, "application/json"), cancellationToken);
            await client.SendAsync(Faulted(HttpMethod.Post, "/data", 503), cancellationToken);
            await client.GetAsync("/", cancellationToken);
            await client.GetAsync("/health", cancellationToken);
            await client.GetAsync($"/no/such/path/{round}", cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static HttpRequestMessage Faulted(HttpMethod method, string path, int status) =>
        FaultInjection.Request(method, path, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>One stack for the whole-stack tests; like <see cref="AloneCollection"/>, run after the others and alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "Whole stack";
}
