extern alias AppHost;

using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>
/// The whole stack started once through the AppHost — the DataApi and a real Prometheus process (the local binary,
/// so that no test waits for a container runtime) — with about 20 seconds of mixed traffic behind it, a burst of
/// connections past the DataApi's connection cap among it. Prometheus also sends its samples (remote_write, through
/// <c>Monitoring:RemoteWriteUrl</c>) to a real VictoriaMetrics on loopback, started before the stack. The Aspire
/// dashboard runs too, as it does for <c>dotnet run</c>: the DataApi sends it its traces over OTLP, and its telemetry
/// API (<see cref="Dashboard"/>) tells which traces it has.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The DataApi's MAX_CONCURRENT_CONNECTIONS here: far above what the traffic and the scrapes hold.</summary>
    public const int ConnectionCap = 32;

    private readonly TemporaryDirectory _directory = new();
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public HttpClient DataApi { get; private set; } = null!;

    public PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>The Aspire dashboard's address, with the key of its telemetry API (<c>/api/telemetry/*</c>).</summary>
    public HttpClient Dashboard { get; private set; } = null!;

    /// <summary>The receiver of Prometheus's remote_write.</summary>
    public VictoriaMetricsServer VictoriaMetrics { get; private set; } = null!;

    /// <summary>When the last request of the traffic had been answered; nothing but health checks and scrapes follow.</summary>
    public DateTimeOffset TrafficEnded { get; private set; }

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        VictoriaMetrics = await VictoriaMetricsServer.StartReadyAsync(Path.Combine(_directory.Path, "victoria-metrics"), cancellation.Token);
        var dashboardApiKey = Guid.NewGuid().ToString("N");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            [
                "--Monitoring:StackMode=LocalProcesses", $"--Monitoring:RemoteWriteUrl={VictoriaMetrics.RemoteWriteUrl}",
                // The dashboard over plain http, as the http launch profile runs it; the testing builder moves it
                // to ports of its own, which its resource's endpoint tells.
                $"--ASPNETCORE_URLS=http://localhost:{FreePort.Next()}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
                "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                $"--AppHost:DashboardApiKey={dashboardApiKey}",
            ],
            // The testing builder leaves the dashboard out unless asked.
            (options, _) => options.DisableDashboard = false,
            cancellation.Token);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(_directory.Path, "data.db"))
            .WithEnvironment("FAULT_INJECTION_ENABLED", "true")
            .WithEnvironment("MAX_CONCURRENT_CONNECTIONS", ConnectionCap.ToString(System.Globalization.CultureInfo.InvariantCulture));

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("dataapi", cancellation.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cancellation.Token);

        DataApi = _app.CreateHttpClient("dataapi");
        Prometheus = new PrometheusApi(_app.CreateHttpClient("prometheus", "http"));
        Dashboard = new HttpClient { BaseAddress = _app.GetEndpoint("aspire-dashboard", "http") };
        Dashboard.DefaultRequestHeaders.Add("x-api-key", dashboardApiKey);
        // Traces sent before the dashboard listens would be lost to the tests.
        await WaitForDashboardAsync(Dashboard, cancellation.Token);

        // The replica's own address, as Prometheus scrapes it: connections through the AppHost's proxy would not
        // reach Kestrel's connection cap one for one.
        var up = await Prometheus.WaitForDataAsync("up{job=\"dataapi\"}", TimeSpan.FromSeconds(30), cancellation.Token);
        var instance = Assert.Single(up.Series).GetProperty("metric").GetProperty("instance").GetString()!;
        await ExceedConnectionCapAsync(instance, cancellation.Token);

        await SendTrafficAsync(DataApi, TimeSpan.FromSeconds(20), cancellation.Token);
        TrafficEnded = DateTimeOffset.UtcNow;
        // The last scrape after the traffic must have landed before the tests query.
        await Task.Delay(TimeSpan.FromSeconds(6), cancellation.Token);
    }

    public async Task DisposeAsync()
    {
        Dashboard?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (VictoriaMetrics is not null)
        {
            await VictoriaMetrics.DisposeAsync();
        }
        _directory.Dispose();
    }

    private async Task WaitForDashboardAsync(HttpClient dashboard, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string last = "nothing";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await dashboard.GetAsync("/api/telemetry/resources", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                last = $"{(int)response.StatusCode}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        var resources = string.Join(", ", App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(resource => resource.Name));
        throw new TimeoutException($"The Aspire dashboard's telemetry API did not answer at {dashboard.BaseAddress}: {last}; resources: {resources}");
    }

    /// <summary>
    /// Opens more connections than the cap for a moment, so that Kestrel rejects some
    /// (<c>kestrel_rejected_connections_total</c> exists only once it has rejected one) and queues others.
    /// </summary>
    private static async Task ExceedConnectionCapAsync(string instance, CancellationToken cancellationToken)
    {
        var separator = instance.LastIndexOf(':');
        var host = instance[..separator];
        var port = int.Parse(instance[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var sockets = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (var i = 0; i < ConnectionCap + 8; i++)
            {
                var socket = new System.Net.Sockets.TcpClient();
                sockets.Add(socket);
                await socket.ConnectAsync(host, port, cancellationToken);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
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
