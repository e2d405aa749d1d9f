using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// An HTTP endpoint on a loopback port (Kestrel) that keeps every JSON body POSTed to <see cref="Url"/>: what
/// Alertmanager's webhook receiver sends (one notification per group, firing or resolved).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<JsonElement> _notifications = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every notification so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Notifications
    {
        get
        {
            lock (_notifications)
            {
                return [.. _notifications];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/alerts", async (HttpRequest request) =>
        {
            var notification = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            lock (receiver._notifications)
            {
                receiver._notifications.Add(notification);
            }
            receiver._arrived.Release();
            return Results.Ok();
        });
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.Url = new Uri(new Uri(address), "/alerts");
        return receiver;
    }

    /// <summary>The first notification, in arrival order, that <paramref name="matches"/>; fails when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> matches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var received = Notifications;
            var found = received.FirstOrDefault(matches);
            if (found.ValueKind == JsonValueKind.Object)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"no such notification within {timeout.TotalSeconds} s; received {received.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, received)}");
            await _arrived.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
