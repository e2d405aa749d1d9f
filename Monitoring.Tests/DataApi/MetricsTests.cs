using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.ServiceDefaults;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.Metrics;
using Monitoring.Tests.Infrastructure;
using OpenTelemetry.Metrics;

namespace Monitoring.Tests.DataApi;

/// <summary>What a Prometheus server scraping /metrics sees: read from the exposition text, not from the instruments.</summary>
[Collection(AloneCollection.Name)]
public sealed class MetricsTests : IDisposable
{
    private static readonly string[] MethodEndpoint = ["endpoint", "method"];
    private static readonly string[] MethodEndpointStatus = ["endpoint", "method", "status_code"];

    private readonly DataApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_view_gives_the_process_instruments_the_SDK_minimum_limit_and_the_http_instruments_the_default_and_all_keep_their_help()
    {
        var client = _factory.CreateClient();
        var policy = new MetricStreamPolicy(_factory.Services.GetRequiredService<IOptions<MetricStreamOptions>>().Value);
        var meterFactory = _factory.Services.GetRequiredService<IMeterFactory>();
        var streams = new Dictionary<string, MetricStreamConfiguration?>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Meter.Name == DataApiMetrics.MeterName)
                {
                    streams[instrument.Name] = policy.Configure(instrument);
                }
            };
            listener.Start();
        }

        Assert.All(DataApiMetrics.ProcessInstruments, name => Assert.Equal(1, streams[name]!.CardinalityLimit));
        Assert.All(streams.Keys.Where(name => name.StartsWith("http_", StringComparison.Ordinal)), name => Assert.Null(streams[name]));
        Assert.Equal(5, streams.Keys.Count(name => name.StartsWith("http_", StringComparison.Ordinal)));
        using (await client.GetAsync("/health"))
        {
        }
        var exposition = await client.GetStringAsync("/metrics");
        Assert.Contains("# HELP process_threads Number of OS threads", exposition, StringComparison.Ordinal);
        Assert.Contains("# HELP http_request_duration_seconds Request duration in seconds", exposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_contract_metric_is_exposed_with_its_type_and_labels()
    {
        var client = _factory.CreateClient();
        await client.PostAsJsonAsync("/data", new { key = "k", value = 1 });

        var metrics = await PrometheusText.ScrapeAsync(client);

        var expected = new Dictionary<string, (string Type, string[] Labels)>
        {
            ["http_requests_total"] = ("counter", MethodEndpointStatus),
            ["http_request_duration_seconds"] = ("histogram", MethodEndpoint),
            ["http_request_size_bytes"] = ("histogram", MethodEndpoint),
            ["http_response_size_bytes"] = ("histogram", MethodEndpointStatus),
            ["http_requests_active"] = ("gauge", MethodEndpoint),
            ["process_cpu_seconds_total"] = ("counter", []),
            ["process_resident_memory_bytes"] = ("gauge", []),
            ["process_virtual_memory_bytes"] = ("gauge", []),
            ["process_start_time_seconds"] = ("gauge", []),
            ["process_uptime_seconds"] = ("gauge", []),
            ["process_open_fds"] = ("gauge", []),
            ["process_threads"] = ("gauge", []),
        };

        foreach (var (name, (type, labels)) in expected)
        {
            Assert.True(metrics.Types.TryGetValue(name, out var actualType), $"{name} is missing from /metrics");
            Assert.Equal(type, actualType);
            var sampleName = type == "histogram" ? name + "_bucket" : name;
            var series = metrics.Series(sampleName).ToList();
            Assert.NotEmpty(series);
            Assert.All(series, sample => Assert.Equal(labels, sample.LabelNames));
        }

        var durationBuckets = metrics.Series("http_request_duration_seconds_bucket", ("method", "POST"), ("endpoint", "/data"))
            .Select(sample => sample.Labels["le"]);
        Assert.Equal(
            ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"],
            durationBuckets);
    }

    [Fact]
    public async Task Requests_the_histograms_still_hold_reach_the_last_export_on_shutdown()
    {
        // The host is disposed on its own thread and may finish after the factory's Dispose returns: wait for the export.
        var lastExport = new TaskCompletionSource<MetricSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exported = new ObservableCollection<MetricSnapshot>();
        exported.CollectionChanged += (_, change) =>
        {
            foreach (MetricSnapshot metric in change.NewItems ?? Array.Empty<MetricSnapshot>())
            {
                if (metric.Name == "http_request_duration_seconds")
                {
                    lastExport.TrySetResult(metric);
                }
            }
        };
        using (var factory = new DataApiFactory().WithServices(services =>
            services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddInMemoryExporter(exported))))
        {
            var client = factory.CreateClient();
            for (var i = 0; i < 3; i++)
            {
                await client.GetAsync("/data/absent");
            }
            // Fewer than a batch, no scrape and no export yet (the in-memory exporter exports only on shutdown).
            Assert.Empty(exported);
        }

        var duration = await lastExport.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var counts = duration.MetricPoints
            .Where(point => HasTag(point, "endpoint", "/data/{key}"))
            .Sum(point => point.GetHistogramCount());
        Assert.Equal(3, counts);
    }

    /// <summary>Hosts sharing a process (test servers, here) each observe their own instruments, not every meter of the name.</summary>
    [Fact]
    public async Task Each_host_reports_only_the_requests_it_served()
    {
        using var other = new DataApiFactory();
        var otherClient = other.CreateClient();
        var client = _factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await otherClient.GetAsync("/data/absent");
        }
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync("/data/absent");
        }

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(3, metrics.Value("http_request_duration_seconds_count", ("method", "GET"), ("endpoint", "/data/{key}")));
    }

    /// <summary>
    /// The in-process host samples this very process, so each value is compared with the process's own figure read
    /// around the scrape: a unit slip (milliseconds for seconds, KiB for bytes) is off by a factor of a thousand.
    /// </summary>
    [Fact]
    public async Task Process_metrics_agree_with_the_process_own_figures()
    {
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime.TotalSeconds;
        using var factory = new DataApiFactory();
        var client = factory.CreateClient();

        var metrics = await PrometheusText.ScrapeAsync(client);

        self.Refresh();
        var cpuAfter = self.TotalProcessorTime.TotalSeconds;
        Assert.InRange(metrics.Value("process_cpu_seconds_total")!.Value, cpuBefore, cpuAfter);
        var resident = metrics.Value("process_resident_memory_bytes")!.Value;
        Assert.InRange(resident, self.WorkingSet64 / 2.0, self.WorkingSet64 * 2.0);
        Assert.InRange(metrics.Value("process_virtual_memory_bytes")!.Value, Math.Max(resident, self.VirtualMemorySize64 / 2.0), self.VirtualMemorySize64 * 2.0);
        var startTime = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;
        Assert.Equal(startTime, metrics.Value("process_start_time_seconds")!.Value, tolerance: 0.01);
        var uptime = (DateTimeOffset.UtcNow - self.StartTime.ToUniversalTime()).TotalSeconds;
        Assert.InRange(metrics.Value("process_uptime_seconds")!.Value, 0, uptime);
        var openFds = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        Assert.InRange(metrics.Value("process_open_fds")!.Value, openFds / 2.0, openFds * 2.0);
        Assert.InRange(metrics.Value("process_threads")!.Value, self.Threads.Count / 2.0, self.Threads.Count * 2.0);
    }

    [Fact]
    public async Task Process_metrics_are_resampled_every_collection_interval()
    {
        using var factory = new DataApiFactory().With("METRICS_COLLECTION_INTERVAL", "0.2");
        var client = factory.CreateClient();

        var first = (await PrometheusText.ScrapeAsync(client)).Value("process_uptime_seconds");
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        var second = (await PrometheusText.ScrapeAsync(client)).Value("process_uptime_seconds");

        Assert.True(second > first, $"uptime did not move between scrapes: {first} then {second}");
    }

    [Fact]
    public async Task Process_metrics_are_absent_when_system_metrics_are_disabled()
    {
        using var factory = new DataApiFactory().With("ENABLE_SYSTEM_METRICS", "false");
        var client = factory.CreateClient();
        await client.GetAsync("/");

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.DoesNotContain(metrics.Types.Keys, name => name.StartsWith("process_", StringComparison.Ordinal));
        Assert.DoesNotContain(metrics.Samples, sample => sample.Name.StartsWith("process_", StringComparison.Ordinal));
        Assert.Contains("http_requests_total", metrics.Types.Keys);
    }

    /// <summary>The benchmark's baseline: the switch removes the recording and the exporter, not just the output.</summary>
    [Fact]
    public async Task Metrics_disabled_removes_the_scrape_endpoint_and_every_meter_provider()
    {
        using var factory = new DataApiFactory().With("METRICS_ENABLED", "false");
        var client = factory.CreateClient();

        var created = await client.PostAsJsonAsync("/data", new { key = "k", value = 1 });
        var scrape = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, scrape.StatusCode);
        Assert.Null(factory.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.DoesNotContain(factory.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(),
            service => service is Monitoring.DataApi.Metrics.ProcessSamplingService);
    }

    [Fact]
    public async Task Endpoint_label_is_the_route_template_never_the_key()
    {
        var client = _factory.CreateClient();
        await client.PostAsJsonAsync("/data", new { key = "secret-key-1", value = "secret-value" });
        await client.GetAsync("/data/secret-key-1");
        await client.GetAsync("/data/secret-key-2");
        await client.DeleteAsync("/data/secret-key-1");

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "POST"), ("endpoint", "/data"), ("status_code", "201")));
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "GET"), ("endpoint", "/data/{key}"), ("status_code", "200")));
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "GET"), ("endpoint", "/data/{key}"), ("status_code", "404")));
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "DELETE"), ("endpoint", "/data/{key}"), ("status_code", "204")));
        Assert.DoesNotContain(metrics.Samples, sample => sample.Labels.Values.Any(value => value.Contains("secret", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unmatched_paths_and_odd_methods_share_bounded_labels()
    {
        var client = _factory.CreateClient();
        for (var i = 0; i < 50; i++)
        {
            await client.GetAsync($"/random/{Guid.NewGuid()}");
            await client.SendAsync(new HttpRequestMessage(new HttpMethod($"X{i}METHOD"), "/data"));
        }
        await client.SendAsync(new HttpRequestMessage(new HttpMethod("PROPFIND"), $"/random/{Guid.NewGuid()}"));

        var metrics = await PrometheusText.ScrapeAsync(client);

        var requests = metrics.Series("http_requests_total").ToList();
        Assert.Equal(50, metrics.Value("http_requests_total", ("method", "GET"), ("endpoint", "unmatched"), ("status_code", "404")));
        Assert.Equal(50, metrics.Value("http_requests_total", ("method", "OTHER"), ("endpoint", "unmatched"), ("status_code", "405")));
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "OTHER"), ("endpoint", "unmatched"), ("status_code", "404")));
        var standardMethods = new HashSet<string> { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "OTHER" };
        Assert.All(requests, sample => Assert.Contains(sample.Labels["method"], standardMethods));
        Assert.All(requests, sample => Assert.True(sample.Labels["endpoint"] == "unmatched" || sample.Labels["endpoint"].StartsWith('/')));
        Assert.True(requests.Count < 10, $"{requests.Count} series after 101 distinct requests");
    }

    [Fact]
    public async Task Sizes_are_the_real_byte_counts_of_bodies()
    {
        var client = _factory.CreateClient();
        var body = """{"key":"sized","value":"0123456789"}""";
        var response = await client.PostAsync("/data", new StringContent(body, Encoding.UTF8, "application/json"));
        var responseBytes = (await response.Content.ReadAsByteArrayAsync()).Length;

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(Encoding.UTF8.GetByteCount(body), metrics.Value("http_request_size_bytes_sum", ("method", "POST"), ("endpoint", "/data")));
        Assert.Equal(responseBytes, metrics.Value("http_response_size_bytes_sum", ("method", "POST"), ("endpoint", "/data"), ("status_code", "201")));
    }

    [Fact]
    public async Task Chunked_request_bodies_are_counted()
    {
        var client = _factory.CreateClient();
        var body = Encoding.UTF8.GetBytes("""{"key":"chunked","value":[1,2,3,4,5,6,7,8,9]}""");
        var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/data") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(request)).StatusCode);

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(body.Length, metrics.Value("http_request_size_bytes_sum", ("method", "POST"), ("endpoint", "/data")));
    }

    [Fact]
    public async Task Problem_bodies_written_by_the_framework_are_counted()
    {
        var client = _factory.CreateClient();
        var response = await client.GetAsync("/not/here");
        var length = (await response.Content.ReadAsByteArrayAsync()).Length;
        Assert.True(length > 0);

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(length, metrics.Value("http_response_size_bytes_sum", ("method", "GET"), ("endpoint", "unmatched"), ("status_code", "404")));
    }

    [Fact]
    public async Task An_unhandled_exception_counts_as_500_and_answers_a_problem_without_details()
    {
        using var factory = new DataApiFactory().WithServices(services => services.AddSingleton<IDataStore, ThrowingDataStore>());
        var client = factory.CreateClient();

        var response = await client.GetAsync("/data/anything");
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(ThrowingDataStore.Secret, body, StringComparison.Ordinal);

        var metrics = await PrometheusText.ScrapeAsync(client);
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "GET"), ("endpoint", "/data/{key}"), ("status_code", "500")));
        Assert.Equal(0, metrics.Value("http_requests_active", ("method", "GET"), ("endpoint", "/data/{key}")));
    }

    [Fact]
    public async Task Active_requests_return_to_zero_and_count_the_scrape_in_flight()
    {
        var client = _factory.CreateClient();
        await client.GetAsync("/");

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.Equal(0, metrics.Value("http_requests_active", ("method", "GET"), ("endpoint", "/")));
        Assert.Equal(1, metrics.Value("http_requests_active", ("method", "GET"), ("endpoint", "/metrics")));
    }

    [Fact]
    public async Task The_frameworks_duplicates_of_the_contracts_http_metrics_are_dropped_and_its_other_metrics_stay()
    {
        var client = _factory.CreateClient();
        await client.GetAsync("/");
        await client.GetAsync("/data/absent");

        var metrics = await PrometheusText.ScrapeAsync(client);

        Assert.DoesNotContain("http_server_request_duration_seconds", metrics.Types.Keys);
        Assert.DoesNotContain("http_server_active_requests", metrics.Types.Keys);
        Assert.DoesNotContain("aspnetcore_routing_match_attempts_total", metrics.Types.Keys);
        Assert.Equal("counter", metrics.Types["dotnet_gc_collections_total"]);
    }

    [Fact]
    public async Task No_scope_labels_or_target_info_are_added()
    {
        var metrics = await PrometheusText.ScrapeAsync(_factory.CreateClient());

        Assert.DoesNotContain("target_info", metrics.Types.Keys);
        Assert.DoesNotContain(metrics.Samples, sample => sample.Labels.Keys.Any(label => label.StartsWith("otel_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OpenMetrics_is_served_when_the_scraper_asks_for_it()
    {
        var client = _factory.CreateClient();
        await client.GetAsync("/");
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_requests counter", text, StringComparison.Ordinal);
    }

    private sealed class ThrowingDataStore : IDataStore
    {
        public const string Secret = "/var/secret/path.db";

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<UpsertResult> UpsertAsync(string key, byte[] valueJson, CancellationToken cancellationToken) => throw Failure();

        public ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken) => throw Failure();

        public ValueTask<StoredPage> ListAsync(string? after, int limit, long valueBudgetBytes, CancellationToken cancellationToken) => throw Failure();

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => throw Failure();

        public Task ProbeWritableAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static InvalidOperationException Failure() => new($"disk I/O error at {Secret}");
    }

    private static bool HasTag(MetricPoint point, string key, string value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key && Equals(tag.Value, value))
            {
                return true;
            }
        }
        return false;
    }
}
