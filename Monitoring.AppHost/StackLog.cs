using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>One start-up line that says how Prometheus and Grafana run, or why they do not and what to install.</summary>
internal static partial class StackLog
{
    public const string InstallPrometheus = "sudo apt-get install prometheus";

    /// <summary>Runs <paramref name="log"/> once, as the AppHost starts its resources.</summary>
    public static void LogOnStart(this IDistributedApplicationBuilder builder, Action<ILogger> log) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            log(@event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.AppHost"));
            return Task.CompletedTask;
        });

    /// <summary>Logs <paramref name="stack"/> once, as the AppHost starts its resources.</summary>
    public static void LogStackOnStart(this IDistributedApplicationBuilder builder, StackSelection stack) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.AppHost").LogStack(stack);
            return Task.CompletedTask;
        });

    public static void LogStack(this ILogger logger, StackSelection stack)
    {
        if (stack.Mode == StackMode.Containers)
        {
            LogContainers(logger, stack.Reason);
        }
        else if (stack.RunsPrometheus)
        {
            LogLocalPrometheus(logger, stack.Reason, stack.LocalPrometheus);
        }
        else
        {
            LogPrometheusMissing(logger, stack.Reason, stack.LocalPrometheus, InstallPrometheus);
        }
    }

    /// <summary>The one line when Monitoring:Store is Postgres, no container runtime answers and no binaries are found.</summary>
    public static string PostgresMissing(string reason, string? configured) => configured is { Length: > 0 }
        ? $"{DataApiSettings.StoreSettingName} is Postgres and {reason}, but '{configured}' ({PostgresResourceBuilderExtensions.BinSettingName}) holds no initdb and postgres."
        : $"{DataApiSettings.StoreSettingName} is Postgres and {reason}, but PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres): install it with '{PostgresResourceBuilderExtensions.InstallPostgres}', or start Docker or Podman, and run the AppHost again.";

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL runs as a container (postgres:{Tag}), its data in a volume.")]
    public static partial void LogPostgresContainer(ILogger logger, string tag);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL runs from the local binaries in {Binaries}, its cluster created in {RunDirectory} and removed by a later run.")]
    public static partial void LogLocalPostgres(ILogger logger, string binaries, string runDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager runs as a container (prom/alertmanager:{Tag}), its data in a volume; alerts go to {Receiver}.")]
    public static partial void LogAlertmanagerContainer(ILogger logger, string tag, string receiver);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager runs from the local '{Alertmanager}' binary, its configuration and data in {RunDirectory}; alerts go to {Receiver}.")]
    public static partial void LogLocalAlertmanager(ILogger logger, string alertmanager, string runDirectory, string receiver);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alertmanager is not started: {Reason}, and the '{Alertmanager}' binary is not installed, so alerts stay in Prometheus. Install it with '{Install}' and run the AppHost again.")]
    public static partial void LogAlertmanagerMissing(ILogger logger, string reason, string alertmanager, string install);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus and Grafana run as containers: {Reason}.")]
    private static partial void LogContainers(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grafana is not started: {Reason}, and Grafana needs one. Prometheus runs from the local '{Prometheus}' binary instead. To get Grafana, start Docker or Podman and run the AppHost again.")]
    private static partial void LogLocalPrometheus(ILogger logger, string reason, string prometheus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prometheus and Grafana are not started: {Reason}, and the '{Prometheus}' binary is not installed. Install it with '{Install}' and run the AppHost again (Grafana also needs Docker or Podman).")]
    private static partial void LogPrometheusMissing(ILogger logger, string reason, string prometheus, string install);
}
