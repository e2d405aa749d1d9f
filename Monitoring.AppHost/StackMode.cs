namespace Monitoring.AppHost;

/// <summary>How the observability stack runs: in containers, or as local processes where no container runtime answers.</summary>
public enum StackMode
{
    /// <summary>Prometheus and Grafana as containers (Docker or Podman).</summary>
    Containers,

    /// <summary>Prometheus as a local <c>prometheus</c> executable; Grafana, which needs a container, is left out.</summary>
    LocalProcesses,
}
