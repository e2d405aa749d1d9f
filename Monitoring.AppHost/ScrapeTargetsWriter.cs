using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>
/// Keeps Prometheus's file-based discovery file (<c>targets/&lt;job&gt;.json</c>) equal to the running replicas of a
/// project: one <c>host:port</c> per replica, the port read from the replica's own <c>PORT</c> variable (the one the
/// AppHost allocated for it), the host the name under which Prometheus reaches this machine. Prometheus rereads the
/// file when it changes, so replicas that come and go are followed without a restart.
/// </summary>
public sealed partial class ScrapeTargetsWriter(
    ResourceNotificationService notifications,
    ScrapeTargetsOptions options,
    ILogger<ScrapeTargetsWriter> logger) : BackgroundService
{
    private readonly Dictionary<string, string> _targetsByReplica = new(StringComparer.Ordinal);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Prometheus must find a (possibly empty) file from its first start.
        Directory.CreateDirectory(options.Directory);
        await WriteAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (update.Resource.Name == options.ResourceName && Apply(update.ResourceId, update.Snapshot))
                {
                    await WriteAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping (the notification service ends the watch when it is disposed).
        }
    }

    private bool Apply(string replica, CustomResourceSnapshot snapshot)
    {
        var port = snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == options.PortVariable)?.Value;
        string? target = snapshot.State?.Text == KnownResourceStates.Running && int.TryParse(port, out _)
            ? $"{options.Host}:{port}"
            : null;

        var known = _targetsByReplica.TryGetValue(replica, out var current);
        if (target is null)
        {
            return known && _targetsByReplica.Remove(replica);
        }
        if (known && current == target)
        {
            return false;
        }
        _targetsByReplica[replica] = target;
        return true;
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var targets = _targetsByReplica.Values.Order(StringComparer.Ordinal).ToArray();
        var groups = targets.Length == 0
            ? Array.Empty<object>()
            : [new { targets, labels = new Dictionary<string, string> { ["resource"] = options.ResourceName } }];

        // Written aside then renamed, so that Prometheus never reads half a file.
        var path = Path.Combine(options.Directory, options.ResourceName + ".json");
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(groups), cancellationToken);
        File.Move(temporary, path, overwrite: true);
        LogTargetsWritten(logger, path, targets.Length == 0 ? "(none yet)" : string.Join(", ", targets));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus scrape targets in {Path}: {Targets}")]
    private static partial void LogTargetsWritten(ILogger logger, string path, string targets);
}

/// <param name="ResourceName">The project whose replicas are scraped; also the file's name.</param>
/// <param name="PortVariable">The environment variable through which the AppHost gives each replica its port.</param>
/// <param name="Host">The name under which Prometheus reaches the replicas.</param>
/// <param name="Directory">The folder Prometheus reads <c>targets/*.json</c> from.</param>
public sealed record ScrapeTargetsOptions(string ResourceName, string PortVariable, string Host, string Directory);
