using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Monitoring.AppHost;

/// <summary>
/// Chooses the <see cref="StackMode"/>: <c>Monitoring:StackMode</c> (<c>Containers</c>, <c>LocalProcesses</c> or
/// <c>Auto</c>, the default) forces a mode; on Auto a container runtime is used when its daemon answers. With local
/// processes it also looks for the <c>prometheus</c> binary (<c>Monitoring:PrometheusPath</c>, else on PATH) and for
/// Alertmanager's (<c>Monitoring:AlertmanagerPath</c>, else Debian's <c>prometheus-alertmanager</c> or <c>alertmanager</c> on PATH).
/// </summary>
public static class StackModeSelector
{
    public const string SettingName = "Monitoring:StackMode";

    public const string PrometheusPathSettingName = "Monitoring:PrometheusPath";

    public const string AlertmanagerPathSettingName = "Monitoring:AlertmanagerPath";

    /// <summary>Alertmanager's binary as Debian's package names it, then as the upstream release does.</summary>
    private static readonly string[] AlertmanagerCommands = ["prometheus-alertmanager", "alertmanager"];

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static StackSelection Select(IConfiguration configuration) =>
        Select(configuration, Environment.GetEnvironmentVariable("PATH"));

    /// <param name="configuration">The AppHost's configuration.</param>
    /// <param name="searchPath">The folders, as in PATH, where the local <c>prometheus</c> binary is looked for.</param>
    public static StackSelection Select(IConfiguration configuration, string? searchPath)
    {
        var selection = SelectMode(configuration);
        if (selection.Mode != StackMode.LocalProcesses)
        {
            return selection;
        }
        var prometheus = configuration[PrometheusPathSettingName] is { Length: > 0 } configured ? configured : "prometheus";
        var alertmanager = configuration[AlertmanagerPathSettingName] is { Length: > 0 } configuredAlertmanager
            ? configuredAlertmanager
            : AlertmanagerCommands.FirstOrDefault(command => IsExecutable(command, searchPath)) ?? AlertmanagerCommands[0];
        return selection with
        {
            LocalPrometheus = prometheus,
            LocalPrometheusMissing = !IsExecutable(prometheus, searchPath),
            LocalAlertmanager = alertmanager,
            LocalAlertmanagerMissing = !IsExecutable(alertmanager, searchPath),
        };
    }

    private static StackSelection SelectMode(IConfiguration configuration)
    {
        // The same runtime Aspire would pick: ASPIRE_CONTAINER_RUNTIME when set, else Docker, else Podman.
        var configured = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        var candidates = string.IsNullOrEmpty(configured) ? new[] { "docker", "podman" } : [configured];
        var hostNameOverride = configuration["AppHost:ContainerHostname"];
        var setting = configuration[SettingName];

        if (Enum.TryParse<StackMode>(setting, ignoreCase: true, out var forced))
        {
            // Even when forced, containers need to know which runtime they run on (for the host name).
            var runtime = forced == StackMode.Containers ? candidates.FirstOrDefault(DaemonAnswers) ?? candidates[0] : null;
            return new StackSelection(forced, runtime, $"{SettingName} is {forced}", hostNameOverride);
        }
        if (!string.IsNullOrEmpty(setting) && !setting.Equals("Auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new AppHostSettingException($"{SettingName} must be Auto, Containers or LocalProcesses (got '{setting}').");
        }

        foreach (var runtime in candidates)
        {
            if (DaemonAnswers(runtime))
            {
                return new StackSelection(StackMode.Containers, runtime, $"the {runtime} daemon answers", hostNameOverride);
            }
        }
        return new StackSelection(StackMode.LocalProcesses, null,
            $"no container runtime answers ('{string.Join("' and '", candidates.Select(c => c + " info"))}' failed)", hostNameOverride);
    }

    /// <summary>
    /// Whether <paramref name="command"/> is an executable file: itself when it holds a folder, else in one of the
    /// folders of <paramref name="searchPath"/>, as the shell would find it.
    /// </summary>
    private static bool IsExecutable(string command, string? searchPath)
    {
        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || command.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            return IsExecutableFile(command);
        }
        string[] names = OperatingSystem.IsWindows() ? [command, command + ".exe"] : [command];
        return (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => names.Any(name => IsExecutableFile(Path.Combine(folder, name))));
    }

    private static bool IsExecutableFile(string path) =>
        File.Exists(path)
        && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    /// <summary><c>docker info</c> / <c>podman info</c> fail within milliseconds when the CLI exists but no daemon runs.</summary>
    private static bool DaemonAnswers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // The CLI is not installed.
        }
    }
}

/// <param name="Mode">Containers or local processes.</param>
/// <param name="ContainerRuntime">docker or podman when containers are used.</param>
/// <param name="Reason">Why this mode, for the start-up log.</param>
/// <param name="ContainerHostNameOverride">Aspire's own <c>AppHost:ContainerHostname</c> setting, when set.</param>
public sealed record StackSelection(StackMode Mode, string? ContainerRuntime, string Reason, string? ContainerHostNameOverride = null)
{
    /// <summary>With local processes, the binary that runs Prometheus: <c>Monitoring:PrometheusPath</c>, else <c>prometheus</c> from PATH.</summary>
    public string LocalPrometheus { get; init; } = "prometheus";

    /// <summary>With local processes, whether <see cref="LocalPrometheus"/> was not found: then Prometheus is left out.</summary>
    public bool LocalPrometheusMissing { get; init; }

    /// <summary>Prometheus runs as a container, or as the local binary when it is installed.</summary>
    public bool RunsPrometheus => Mode == StackMode.Containers || !LocalPrometheusMissing;

    /// <summary>With local processes, the binary that runs Alertmanager: <c>Monitoring:AlertmanagerPath</c>, else found on PATH.</summary>
    public string LocalAlertmanager { get; init; } = "prometheus-alertmanager";

    /// <summary>With local processes, whether <see cref="LocalAlertmanager"/> was not found: then alerts stay in Prometheus.</summary>
    public bool LocalAlertmanagerMissing { get; init; }

    /// <summary>Alertmanager runs beside Prometheus: as a container, or as the local binary when it is installed.</summary>
    public bool RunsAlertmanager => RunsPrometheus && (Mode == StackMode.Containers || !LocalAlertmanagerMissing);

    /// <summary>Grafana runs only as a container.</summary>
    public bool RunsGrafana => Mode == StackMode.Containers;

    /// <summary>The name under which a container reaches this machine.</summary>
    public string ContainerHostName => ContainerHostNameOverride
        ?? (ContainerRuntime == "podman" ? "host.containers.internal" : "host.docker.internal");

    /// <summary>The name under which Prometheus reaches the DataApi replicas, which run on this machine.</summary>
    public string HostNameSeenFromPrometheus => Mode == StackMode.Containers ? ContainerHostName : "localhost";
}
