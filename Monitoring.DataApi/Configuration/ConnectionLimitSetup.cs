using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

/// <summary>
/// Holds the connections Kestrel keeps open below the open-file limit, so that idle clients cannot take the
/// descriptors the process itself needs: past the cap Kestrel closes a new connection as soon as it accepts it, and a
/// connection that sends no request within KEEP_ALIVE_TIMEOUT is closed. Logs the cap once, as Kestrel is configured.
/// </summary>
public sealed partial class ConnectionLimitSetup(IOptions<ConnectionOptions> options, ILogger<ConnectionLimitSetup> logger)
    : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>
    /// Descriptors kept for everything but connections. An idle DataApi holds about 280 (about 250 of them the
    /// assemblies the runtime keeps open) and about 330 under load: assemblies loaded on first use, two per pooled
    /// SQLite connection (the database and its WAL; the pool grows with the threads working on the store) and the WAL
    /// index, plus the log pipes and the runtime's own. 512 covers that with room for the pool to grow; an eighth of a
    /// larger limit keeps the same proportion where threads, and so store connections, can be many more.
    /// </summary>
    public const long MinReservedDescriptors = 512;

    public void Configure(KestrelServerOptions kestrel)
    {
        kestrel.Limits.KeepAliveTimeout = options.Value.KeepAliveTimeout;

        var openFileLimit = OpenFileLimit.Read();
        var configured = options.Value.MaxConcurrentConnections;
        var cap = configured > 0 ? configured : Derive(openFileLimit);
        kestrel.Limits.MaxConcurrentConnections = cap;

        var keepAliveSeconds = options.Value.KeepAliveTimeoutSeconds;
        if (cap is null)
        {
            LogUncapped(logger, keepAliveSeconds);
        }
        else if (configured > 0 && openFileLimit is { } limit && configured > limit - Reserve(limit))
        {
            LogCapAboveDerived(logger, cap.Value, limit, Reserve(limit), keepAliveSeconds);
        }
        else
        {
            LogCapped(logger, cap.Value, configured > 0 ? ConnectionOptions.MaxConcurrentConnectionsSetting : "the open-file limit",
                openFileLimit, keepAliveSeconds);
        }
    }

    /// <summary>
    /// The limit less the reserve. Below about 700 descriptors the process needs most of them itself; a quarter is
    /// still kept for connections so that it answers at all. Null without a limit: nothing to derive a cap from.
    /// </summary>
    public static long? Derive(long? openFileLimit) =>
        openFileLimit is { } limit ? Math.Max(limit - Reserve(limit), Math.Max(1, limit / 4)) : null;

    private static long Reserve(long openFileLimit) => Math.Max(MinReservedDescriptors, openFileLimit / 8);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connections capped at {MaxConcurrentConnections}, from {Source} (open-file limit {OpenFileLimit}); idle connections closed after {KeepAliveTimeoutSeconds} s")]
    private static partial void LogCapped(ILogger logger, long maxConcurrentConnections, string source, long? openFileLimit, double keepAliveTimeoutSeconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Connections capped at {MaxConcurrentConnections} by MAX_CONCURRENT_CONNECTIONS, which leaves fewer than {ReservedDescriptors} of the open-file limit {OpenFileLimit} for the store, the logs and the metrics; idle connections closed after {KeepAliveTimeoutSeconds} s")]
    private static partial void LogCapAboveDerived(ILogger logger, long maxConcurrentConnections, long openFileLimit, long reservedDescriptors, double keepAliveTimeoutSeconds);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connections not capped: no open-file limit to derive a cap from and MAX_CONCURRENT_CONNECTIONS unset; idle connections closed after {KeepAliveTimeoutSeconds} s")]
    private static partial void LogUncapped(ILogger logger, double keepAliveTimeoutSeconds);
}
