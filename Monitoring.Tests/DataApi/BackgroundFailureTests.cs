using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.DataApi.Metrics;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>Whatever fails in the background, the host keeps serving.</summary>
[Collection(AloneCollection.Name)]
public sealed class BackgroundFailureTests
{
    [Fact]
    public async Task A_background_service_that_throws_does_not_stop_the_host()
    {
        var failing = new FailingService();
        using var factory = new DataApiFactory().WithServices(services => services.AddSingleton<IHostedService>(failing));
        using var client = factory.CreateClient();
        var stopping = factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        failing.Fail();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.ExecuteTask!);
        // The host reacts to the failure as soon as the task faults; give it ample time to do so.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.False(stopping.IsCancellationRequested, "the host is stopping");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>
    /// The sampler reads a process that then exits: its reads fail the way the DataApi's own do when no descriptor is
    /// free ("Process has exited, so the requested information is not available").
    /// </summary>
    [Fact]
    public async Task A_process_that_cannot_be_read_leaves_health_answering_with_the_last_sample_and_sampling_running()
    {
        using var sampled = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        using var sampler = new ProcessSampler(sampled, TimeProvider.System);
        using var factory = new DataApiFactory()
            .With("METRICS_COLLECTION_INTERVAL", "0.1")
            .WithServices(services => services.AddSingleton(sampler));
        using var client = factory.CreateClient();
        var stopping = factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var sampling = factory.Services.GetServices<IHostedService>().OfType<ProcessSamplingService>().Single();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        sampled.Kill();
        await sampled.WaitForExitAsync();
        var lastGood = sampler.Latest;
        // Several ticks of the sampling service, each failing.
        await Task.Delay(TimeSpan.FromMilliseconds(600));

        Assert.False(stopping.IsCancellationRequested, "the host is stopping");
        Assert.False(sampling.ExecuteTask!.IsCompleted, $"the sampling service ended: {sampling.ExecuteTask.Exception}");
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var system = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("system");
        Assert.Equal(lastGood.SampledAt, system.GetProperty("sampledAt").GetDateTimeOffset());
        Assert.Equal(lastGood.ResidentMemoryBytes, system.GetProperty("residentMemoryBytes").GetInt64());

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal((double)lastGood.ResidentMemoryBytes, metrics.Value("process_resident_memory_bytes"));
    }

    /// <summary>Throws once told to, so that the test holds the host's lifetime before it fails.</summary>
    private sealed class FailingService : BackgroundService
    {
        private readonly TaskCompletionSource _failing = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail() => _failing.TrySetResult();

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await _failing.Task.WaitAsync(stoppingToken);
            throw new InvalidOperationException("A background service failed.");
        }
    }
}
