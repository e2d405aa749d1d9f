namespace Monitoring.AppHost;

/// <summary>The scrape targets of a project's replicas: one <c>host:port</c> per running replica.</summary>
public sealed class ScrapeTargetSet(string host)
{
    private readonly Dictionary<string, string> _targetsByReplica = new(StringComparer.Ordinal);

    /// <summary>Sorted, so that the same replicas always produce the same file.</summary>
    public IReadOnlyList<string> Targets => _targetsByReplica.Values.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Records what a replica reports; true when the set of targets changed.</summary>
    /// <param name="replica">The replica's resource id.</param>
    /// <param name="running">Whether the replica is running.</param>
    /// <param name="port">The port the replica was given, when known.</param>
    public bool Update(string replica, bool running, string? port)
    {
        var target = running && int.TryParse(port, out var number) && number is > 0 and <= 65535 ? $"{host}:{number}" : null;
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
}
