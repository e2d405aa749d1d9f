using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

internal static partial class StackLog
{
    public static void LogStack(this ILogger logger, StackSelection stack)
    {
        if (stack.Mode == StackMode.Containers)
        {
            LogContainers(logger, stack.Reason);
        }
        else
        {
            LogLocalProcesses(logger, stack.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus and Grafana run as containers: {Reason}.")]
    private static partial void LogContainers(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grafana is not started: {Reason}, and Grafana needs one. Prometheus runs from the local 'prometheus' binary instead (apt-get install prometheus). To get Grafana, start Docker or Podman and run the AppHost again.")]
    private static partial void LogLocalProcesses(ILogger logger, string reason);
}
