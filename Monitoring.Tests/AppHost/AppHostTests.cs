extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.AppHost;

public sealed class AppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_AppHost_starts_the_DataApi_and_it_becomes_ready()
    {
        using var directory = new TemporaryDirectory();
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.Monitoring_AppHost>(cancellation.Token);
        builder.CreateResourceBuilder<ProjectResource>("dataapi")
            .WithEnvironment("DATA_PATH", Path.Combine(directory.Path, "data.db"));

        await using var app = await builder.BuildAsync(cancellation.Token);
        await app.StartAsync(cancellation.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("dataapi", cancellation.Token);

        using var client = app.CreateHttpClient("dataapi");
        var ready = await client.GetAsync("/health/ready", cancellation.Token);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
