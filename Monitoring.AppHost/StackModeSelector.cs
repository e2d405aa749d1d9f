using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Monitoring.AppHost;

/// <summary>
/// Chooses the <see cref="StackMode"/>: <c>Monitoring:StackMode</c> (<c>Containers</c>, <c>LocalProcesses</c> or
/// <c>Auto</c>, the default) forces a mode; on Auto a container runtime is used when its daemon answers.
/// </summary>
public static class StackModeSelector
{
    public const string SettingName = "Monitoring:StackMode";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static StackSelection Select(IConfiguration configuration)
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
            throw new InvalidOperationException($"{SettingName} must be Auto, Containers or LocalProcesses (got '{setting}').");
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
    /// <summary>The name under which a container reaches this machine.</summary>
    public string ContainerHostName => ContainerHostNameOverride
        ?? (ContainerRuntime == "podman" ? "host.containers.internal" : "host.docker.internal");
}
