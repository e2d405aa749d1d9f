namespace Monitoring.AppHost;

/// <summary>
/// The scrape targets of a project's replicas: one <c>host:port</c> per replica from its first run on. A replica that
/// stops (crashes, is killed, is stopped from the dashboard) keeps its target, so that Prometheus sees it down and
/// <c>DataApiDown</c> fires; dropping it would leave its <c>up</c> series absent, which no alert notices while other
/// replicas run. A replica that runs again with another port replaces its target.
/// </summary>
public sealed class ScrapeTargetSet(string host)
{
    private readonly Dictionary<string, string> _targetsByReplica = new(StringComparer.Ordinal);

    /// <summary>Sorted, so that the same replicas always produce the same file.</summary>
    public IReadOnlyList<string> Targets => _targetsByReplica.Values.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Records what a replica reports; true when the set of targets changed.</summary>
    /// <remarks>Only a running replica with a usable port adds or moves a target; anything else leaves its target as it is.</remarks>
    /// <param name="replica">The replica's resource id.</param>
    /// <param name="running">Whether the replica is running.</param>
    /// <param name="port">The port the replica was given, when known.</param>
    public bool Update(string replica, bool running, string? port)
    {
        var target = running && int.TryParse(port, out var number) && number is > 0 and <= 65535 ? $"{host}:{number}" : null;
        if (target is null || (_targetsByReplica.TryGetValue(replica, out var current) && current == target))
        {
            return false;
        }
        _targetsByReplica[replica] = target;
        return true;
    }
}
