using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.DataApi;
using Monitoring.DataApi.Data;
using Monitoring.ServiceDefaults;
using OpenTelemetry.Metrics;
using Prometheus;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>
/// The DataApi's own host, services, middleware and endpoints, in memory (<see cref="InMemoryServer"/>): what Program.cs
/// builds, with the store answering from memory and, per <see cref="PipelineVariant"/>, one metrics stack.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    public const string ItemKey = "bench";
    public const string ItemPath = "/data/" + ItemKey;
    private const string ValueJson = """{"n":42,"text":"benchmark"}""";

    private readonly WebApplication _app;
    private readonly InMemoryServer _server;
    private readonly string _temporaryFolder;

    private PipelineHost(WebApplication app, InMemoryServer server, string temporaryFolder)
    {
        _app = app;
        _server = server;
        _temporaryFolder = temporaryFolder;
    }

    public static async Task<PipelineHost> StartAsync(PipelineVariant variant)
    {
        var temporaryFolder = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        // The DataApi's appsettings.json (its log levels) is copied beside this assembly.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        var server = new InMemoryServer();
        builder.WebHost.UseServer(server);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [MetricsExportOptions.EnabledSetting] = variant == PipelineVariant.DataApi ? "true" : "false",
            [DataStoreOptions.PathSetting] = Path.Combine(temporaryFolder, "unused.db"),
            // No trace exporter whatever the environment says: traces are not what is compared.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = string.Empty,
        });

        builder.AddServiceDefaults();
        builder.AddDataApi();
        builder.Services.AddSingleton<IDataStore, MemoryDataStore>();
        if (variant == PipelineVariant.OpenTelemetry)
        {
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        }

        var app = builder.Build();
        await app.PrepareDataApiAsync();
        if (variant == PipelineVariant.PrometheusNet)
        {
            // First, as an application adds it; it reads the matched route when the request completes.
            app.UseHttpMetrics();
        }
        app.UseDataApiPipeline();
        app.MapDataApiEndpoints();
        if (variant == PipelineVariant.OpenTelemetry)
        {
            app.MapPrometheusScrapingEndpoint();
        }
        else if (variant == PipelineVariant.PrometheusNet)
        {
            app.MapMetrics();
        }
        await app.StartAsync();

        await app.Services.GetRequiredService<IDataStore>().UpsertAsync(ItemKey, Encoding.UTF8.GetBytes(ValueJson), CancellationToken.None);
        var host = new PipelineHost(app, server, temporaryFolder);
        await host.VerifyAsync(variant);
        return host;
    }

    /// <summary><c>GET /data/bench</c> through hosting, the middleware and the endpoint, as Kestrel would hand it over.</summary>
    public Task<InMemoryExchange> GetItemAsync() => _server.SendAsync(HttpMethods.Get, ItemPath);

    /// <summary>
    /// Refuses to benchmark a pipeline that does not do what its variant says: the item must come back, and the
    /// variant's metrics must have counted it on their scrape endpoint (and no endpoint without metrics).
    /// </summary>
    private async Task VerifyAsync(PipelineVariant variant)
    {
        var item = await GetItemAsync();
        if (item.StatusCode != StatusCodes.Status200OK || !item.BodyText.Contains(ValueJson, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{variant}: GET {ItemPath} answered {item.StatusCode}: {item.BodyText}");
        }

        var scrape = await _server.SendAsync(HttpMethods.Get, "/metrics");
        var metrics = scrape.BodyText;
        string[] expected = variant switch
        {
            PipelineVariant.DataApi => ["http_request_duration_seconds_bucket{", "http_requests_total{", "endpoint=\"/data/{key}\""],
            PipelineVariant.OpenTelemetry => ["http_server_request_duration_seconds_bucket{", "http_route=\"/data/{key}\""],
            PipelineVariant.PrometheusNet => ["http_request_duration_seconds_bucket{", "http_requests_received_total{", "endpoint=\"/data/{key}\""],
            _ => [],
        };
        var scraped = variant == PipelineVariant.NoMetrics
            ? scrape.StatusCode == StatusCodes.Status404NotFound
            : scrape.StatusCode == StatusCodes.Status200OK && expected.All(text => metrics.Contains(text, StringComparison.Ordinal));
        if (!scraped)
        {
            throw new InvalidOperationException($"{variant}: GET /metrics answered {scrape.StatusCode} without {string.Join(", ", expected)}:\n{metrics}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_temporaryFolder, recursive: true);
    }
}
