using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>
/// Keeps Prometheus's file-based discovery file (<c>targets/&lt;resource&gt;.json</c>) equal to the replicas of a
/// project that have run (<see cref="ScrapeTargetSet"/>: a replica that stops stays a target, down): one
/// <c>host:port</c> per replica, the port read from the replica's own port variable (the one the AppHost allocated
/// for it), the host the name under which Prometheus reaches this machine. Prometheus rereads the
/// file when it changes, so replicas that start, or restart on another port, are followed without a restart.
/// </summary>
public sealed partial class ScrapeTargetsWriter(
    ResourceNotificationService notifications,
    ScrapeTargetsOptions options,
    ILogger<ScrapeTargetsWriter> logger) : BackgroundService
{
    private readonly ScrapeTargetSet _targets = new(options.Host);

    private string FilePath => Path.Combine(options.Directory, options.ResourceName + ".json");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Prometheus must find a (possibly empty) file from its first start.
        await WriteAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (update.Resource.Name != options.ResourceName)
                {
                    continue;
                }
                var port = update.Snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == options.PortVariable)?.Value;
                var running = update.Snapshot.State?.Text == KnownResourceStates.Running;
                if (_targets.Update(update.ResourceId, running, port))
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

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var targets = _targets.Targets;
        var groups = targets.Count == 0
            ? Array.Empty<object>()
            : [new { targets, labels = new Dictionary<string, string> { ["resource"] = options.ResourceName } }];
        try
        {
            Directory.CreateDirectory(options.Directory);
            // Written aside then renamed, so that Prometheus never reads half a file.
            var temporary = FilePath + ".tmp";
            await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(groups), cancellationToken);
            File.Move(temporary, FilePath, overwrite: true);
            LogTargetsWritten(logger, FilePath, targets.Count == 0 ? "(none yet)" : string.Join(", ", targets));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Prometheus keeps the previous targets; the next replica change tries again. The AppHost stays up.
            LogWriteFailed(logger, exception, FilePath);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus scrape targets in {Path}: {Targets}")]
    private static partial void LogTargetsWritten(ILogger logger, string path, string targets);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the Prometheus scrape targets to {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);
}

/// <param name="ResourceName">The project whose replicas are scraped; also the file's name.</param>
/// <param name="PortVariable">The environment variable through which the AppHost gives each replica its port.</param>
/// <param name="Host">The name under which Prometheus reaches the replicas.</param>
/// <param name="Directory">The folder Prometheus reads <c>targets/*.json</c> from.</param>
public sealed record ScrapeTargetsOptions(string ResourceName, string PortVariable, string Host, string Directory);

public static class ScrapeTargetsWriterExtensions
{
    /// <summary>
    /// Runs a <see cref="ScrapeTargetsWriter"/> in the AppHost: a background service that keeps
    /// <c><paramref name="targetsDirectory"/>/&lt;project&gt;.json</c> equal to the running replicas of <paramref name="scraped"/>.
    /// </summary>
    /// <param name="builder">The AppHost.</param>
    /// <param name="scraped">The project whose replicas Prometheus scrapes.</param>
    /// <param name="portVariable">The environment variable through which the AppHost gives each replica its port.</param>
    /// <param name="host">The name under which Prometheus reaches the replicas.</param>
    /// <param name="targetsDirectory">The folder Prometheus reads <c>targets/*.json</c> from; created here.</param>
    public static void AddScrapeTargetsWriter(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> scraped, string portVariable, string host, string targetsDirectory)
    {
        Directory.CreateDirectory(targetsDirectory);
        builder.Services.AddSingleton(new ScrapeTargetsOptions(scraped.Resource.Name, portVariable, host, targetsDirectory));
        builder.Services.AddHostedService<ScrapeTargetsWriter>();
    }
}
