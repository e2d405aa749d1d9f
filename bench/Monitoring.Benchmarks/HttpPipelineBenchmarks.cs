using BenchmarkDotNet.Attributes;
using Monitoring.Benchmarks.Pipeline;

namespace Monitoring.Benchmarks;

/// <summary>
/// One <c>GET /data/{key}</c> through the DataApi's real ASP.NET Core pipeline in memory (hosting, routing, its
/// middleware, the endpoint answering from memory), once per metrics stack. What a variant costs above
/// <see cref="NoMetrics"/> is what its metrics cost a request, in time and bytes allocated.
/// </summary>
/// <remarks>
/// Each benchmark runs in a process of its own (BenchmarkDotNet's default) and starts only its own host, so that no
/// MeterProvider sees another variant's requests.
/// </remarks>
[MemoryDiagnoser]
public class HttpPipelineBenchmarks
{
    private PipelineHost _host = null!;

    [GlobalSetup(Target = nameof(NoMetrics))]
    public async Task StartNoMetrics() => _host = await PipelineHost.StartAsync(PipelineVariant.NoMetrics);

    [GlobalSetup(Target = nameof(DataApiMetrics))]
    public async Task StartDataApiMetrics() => _host = await PipelineHost.StartAsync(PipelineVariant.DataApi);

    [GlobalSetup(Target = nameof(OpenTelemetryInstrumentation))]
    public async Task StartOpenTelemetry() => _host = await PipelineHost.StartAsync(PipelineVariant.OpenTelemetry);

    [GlobalSetup(Target = nameof(PrometheusNetHttpMetrics))]
    public async Task StartPrometheusNet() => _host = await PipelineHost.StartAsync(PipelineVariant.PrometheusNet);

    [GlobalCleanup]
    public Task Stop() => _host.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task NoMetrics() => _host.GetItemAsync();

    [Benchmark]
    public Task DataApiMetrics() => _host.GetItemAsync();

    [Benchmark]
    public Task OpenTelemetryInstrumentation() => _host.GetItemAsync();

    [Benchmark]
    public Task PrometheusNetHttpMetrics() => _host.GetItemAsync();
}
