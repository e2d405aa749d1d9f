using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Monitoring.AppHost;

/// <summary>
/// <c>Monitoring:RemoteWriteUrl</c>: a remote-write receiver (Mimir, Thanos Receive, VictoriaMetrics, another Prometheus
/// with its receiver on) to which Prometheus also sends every sample it scrapes or records, for storage beyond its own
/// retention. Prometheus reads one configuration file and expands no variables in it, so the AppHost does not touch the
/// repository's <c>prometheus/</c> folder: when the setting is set, it writes a copy of the folder's <c>*.yml</c> into the
/// run's Prometheus folder, the copy of <c>prometheus.yml</c> ending with a <c>remote_write</c> section, and Prometheus
/// (container or local binary) runs with that copy. Unset, Prometheus runs with the repository's files as they are.
/// </summary>
public static partial class PrometheusRemoteWrite
{
    public const string SettingName = "Monitoring:RemoteWriteUrl";

    public const string ConfigurationFile = "prometheus.yml";

    /// <summary>The setting's URL, or null when it is unset or empty.</summary>
    /// <exception cref="AppHostSettingException">Not an absolute http or https URL, or one with a user name or password in it.</exception>
    public static Uri? Read(IConfiguration configuration)
    {
        var setting = configuration[SettingName];
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }
        if (!Uri.TryCreate(setting, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new AppHostSettingException($"{SettingName} must be an absolute http or https URL, such as http://localhost:8428/api/v1/write (got '{setting}').");
        }
        if (url.UserInfo.Length > 0)
        {
            // Prometheus would show it on its configuration page; credentials belong in a remote_write section of its own.
            throw new AppHostSettingException($"{SettingName} must not hold a user name or password: write a remote_write section with basic_auth into prometheus/prometheus.yml instead.");
        }
        return url;
    }

    /// <summary>
    /// The folder of configuration files Prometheus runs with: <paramref name="configDirectory"/> (relative to the AppHost)
    /// as it is when <paramref name="url"/> is null; else a copy in <paramref name="runDirectory"/> with remote_write to
    /// <paramref name="url"/> (<see cref="WriteConfiguration"/>), a loopback receiver written as the host name under which
    /// a Prometheus container reaches this machine, and one line at start that says so.
    /// </summary>
    public static string PrometheusConfigDirectory(
        this IDistributedApplicationBuilder builder, string configDirectory, string runDirectory, Uri? url, StackSelection stack)
    {
        var original = Path.GetFullPath(configDirectory, builder.AppHostDirectory);
        if (url is null)
        {
            return original;
        }
        if (stack.Mode == StackMode.Containers)
        {
            // localhost in the container is the container: a receiver on this machine is reached as the container reaches the DataApi.
            url = SeenFrom(url, stack.HostNameSeenFromPrometheus);
        }
        var copy = WriteConfiguration(original, Path.Combine(runDirectory, "config"), url);
        var file = Path.Combine(copy, ConfigurationFile);
        builder.LogOnStart(logger => LogRemoteWrite(logger, url, file));
        return copy;
    }

    /// <summary>
    /// Copies the <c>*.yml</c> files of <paramref name="configDirectory"/> into <paramref name="destination"/> (created),
    /// the copy of <c>prometheus.yml</c> with a <c>remote_write</c> section to <paramref name="url"/> added at its end.
    /// The relative paths in it (rule files, <c>targets/*.json</c>) resolve in the copy as in the original.
    /// </summary>
    /// <returns><paramref name="destination"/>, to run Prometheus with in place of <paramref name="configDirectory"/>.</returns>
    /// <exception cref="AppHostSettingException">prometheus.yml already has a remote_write section.</exception>
    public static string WriteConfiguration(string configDirectory, string destination, Uri url)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(configDirectory, "*.yml"))
        {
            var text = File.ReadAllText(file);
            if (Path.GetFileName(file) == ConfigurationFile)
            {
                text = AddRemoteWrite(text, url);
            }
            File.WriteAllText(Path.Combine(destination, Path.GetFileName(file)), text);
        }
        return destination;
    }

    /// <summary><paramref name="url"/>, its host replaced by <paramref name="host"/> when it is a loopback address.</summary>
    public static Uri SeenFrom(Uri url, string host) => url.IsLoopback ? new UriBuilder(url) { Host = host }.Uri : url;

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus also sends every sample to {Url} (remote_write, in {ConfigurationFile}).")]
    private static partial void LogRemoteWrite(ILogger logger, Uri url, string configurationFile);

    /// <summary><paramref name="configuration"/> (the text of a prometheus.yml) with a remote_write section to <paramref name="url"/> at its end.</summary>
    public static string AddRemoteWrite(string configuration, Uri url)
    {
        if (configuration.Split('\n').Any(line => line.StartsWith("remote_write:", StringComparison.Ordinal)))
        {
            throw new AppHostSettingException($"{SettingName} is set, but prometheus.yml already has a remote_write section: set the URL in one place only.");
        }
        // A JSON string is a YAML double-quoted scalar: the URL goes in quoted and escaped.
        return configuration.TrimEnd() + $"""


            # Added by the AppHost from {SettingName}: every sample also goes to this receiver.
            remote_write:
              - url: {JsonSerializer.Serialize(url.AbsoluteUri)}

            """;
    }
}
