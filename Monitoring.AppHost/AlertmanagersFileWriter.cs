using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>
/// Keeps Prometheus's Alertmanager discovery file (<c>alertmanagers/alertmanager.json</c>) equal to the Alertmanager
/// address Aspire gave Prometheus in <see cref="AddressVariable"/>, as Prometheus's running process sees it: the host
/// and port through which that process reaches Alertmanager, whether Prometheus runs as a container or a local process.
/// Prometheus reads no environment in its configuration; it rereads the file when it changes.
/// </summary>
public sealed partial class AlertmanagersFileWriter(
    ResourceNotificationService notifications,
    AlertmanagersFileOptions options,
    ILogger<AlertmanagersFileWriter> logger) : BackgroundService
{
    /// <summary>The variable that carries the address (<c>host:port</c>) on Prometheus's resource; Prometheus itself ignores it.</summary>
    public const string AddressVariable = "ALERTMANAGER_ADDRESS";

    public const string FileName = "alertmanager.json";

    private string? _written;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (update.Resource.Name != options.PrometheusResourceName)
                {
                    continue;
                }
                var address = update.Snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == AddressVariable)?.Value;
                if (address is { Length: > 0 } && address != _written)
                {
                    await WriteAsync(address, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping (the notification service ends the watch when it is disposed).
        }
    }

    private async Task WriteAsync(string address, CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.Directory, FileName);
        try
        {
            // Written aside then renamed, so that Prometheus never reads half a file.
            await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(new[] { new { targets = new[] { address } } }), cancellationToken);
            File.Move(path + ".tmp", path, overwrite: true);
            _written = address;
            LogWritten(logger, path, address);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Prometheus keeps the previous Alertmanager, if any; the next update of Prometheus's resource tries again.
            LogWriteFailed(logger, exception, path);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus sends alerts to the Alertmanager in {Path}: {Address}")]
    private static partial void LogWritten(ILogger logger, string path, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the Alertmanager address for Prometheus to {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);
}

/// <param name="PrometheusResourceName">The Prometheus resource whose <see cref="AlertmanagersFileWriter.AddressVariable"/> is copied.</param>
/// <param name="Directory">The folder Prometheus reads <c>alertmanagers/*.json</c> from.</param>
public sealed record AlertmanagersFileOptions(string PrometheusResourceName, string Directory);
