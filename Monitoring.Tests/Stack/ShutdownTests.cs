extern alias AppHost;

using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

[Collection(AloneCollection.Name)]
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_the_AppHost_ends_every_process_it_started()
    {
        using var directory = new TemporaryDirectory();
        using var cancellation = new CancellationTokenSource(StackFixture.Timeout);
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(
            ["--Monitoring:StackMode=LocalProcesses"], cancellation.Token);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(directory.Path, "data.db"))
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);
        var app = await builder.BuildAsync(cancellation.Token);
        await app.StartAsync(cancellation.Token);

        var dataApi = await app.ResourceNotifications.WaitForResourceHealthyAsync("dataapi", cancellation.Token);
        var prometheus = await app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cancellation.Token);
        var alertmanager = await app.ResourceNotifications.WaitForResourceHealthyAsync("alertmanager", cancellation.Token);
        // A project runs as `dotnet run`, whose child is the DataApi itself: the whole trees must end.
        var processes = new[] { ProcessIdOf(dataApi), ProcessIdOf(prometheus), ProcessIdOf(alertmanager) }
            .SelectMany(ProcessTree.WithDescendants)
            .Select(Process.GetProcessById)
            .ToList();
        Assert.True(processes.Count >= 4, $"expected dotnet run, the DataApi, Prometheus and Alertmanager; found {processes.Count} processes");

        await app.StopAsync(cancellation.Token);
        await app.DisposeAsync();

        foreach (var process in processes)
        {
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.HasExited);
            process.Dispose();
        }
    }

    private static int ProcessIdOf(ResourceEvent resource) => Convert.ToInt32(
        resource.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value,
        CultureInfo.InvariantCulture);
}
