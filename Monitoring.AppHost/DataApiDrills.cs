using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Monitoring.AppHost;

/// <summary>
/// Development only: two commands on the DataApi in the Aspire dashboard (on each replica) that a newcomer clicks to
/// watch the monitoring move. "Generate traffic" sends a mix of reads, writes and misses to the replica for 60 s;
/// "Inject errors" sends the same mix for 3 minutes with a quarter of the requests asking for a 500 through the DataApi's
/// fault switch (<c>X-Inject-Fault</c>, which the AppHost turns on here, in Development only), enough for HighErrorRate and
/// the availability SLO's burn-rate alerts to fire and then resolve. The requests come from the AppHost process
/// (<see cref="DrillRunner"/>) to the replica's own port; the DataApi has no drill code and no switch that a request
/// could leave on. The durations are settings (<see cref="TrafficSecondsSettingName"/>, <see cref="ErrorsSecondsSettingName"/>).
/// </summary>
public static class DataApiDrills
{
    public const string TrafficCommandName = "drill-generate-traffic";
    public const string ErrorsCommandName = "drill-inject-errors";

    public const string TrafficSecondsSettingName = "Monitoring:Drills:TrafficSeconds";
    public const string ErrorsSecondsSettingName = "Monitoring:Drills:ErrorSeconds";

    /// <summary>The DataApi's switch for <c>X-Inject-Fault</c>; it refuses to start with it in Production.</summary>
    public const string FaultInjectionVariable = "FAULT_INJECTION_ENABLED";

    private const int MaxSeconds = 3600;

    /// <summary>
    /// Turns on the DataApi's fault switch and adds the two drill commands. Call it in Development only.
    /// </summary>
    /// <param name="dataApi">The DataApi project.</param>
    /// <param name="portVariable">The environment variable through which the AppHost gives each replica its port.</param>
    /// <param name="apiKey">The DataApi's API key when writes need one.</param>
    /// <exception cref="AppHostSettingException">A duration setting is not a whole number of seconds from 1 to 3600.</exception>
    public static IResourceBuilder<ProjectResource> WithDrills(
        this IResourceBuilder<ProjectResource> dataApi, string portVariable, IResourceBuilder<ParameterResource>? apiKey)
    {
        IConfiguration configuration = dataApi.ApplicationBuilder.Configuration;
        var traffic = new Drill(TrafficCommandName, "Generate traffic", ReadDuration(configuration, TrafficSecondsSettingName, 60), FaultEvery: 0);
        var errors = new Drill(ErrorsCommandName, "Inject errors", ReadDuration(configuration, ErrorsSecondsSettingName, 180), FaultEvery: 4);
        dataApi.ApplicationBuilder.Services.TryAddSingleton<DrillRunner>();

        dataApi.WithEnvironment(FaultInjectionVariable, "true");
        AddCommand(dataApi, traffic, portVariable, apiKey, new CommandOptions
        {
            Description = $"Sends about {DrillRunner.RequestsPerSecond} requests per second (writes, reads, lists, misses) to this replica for {Describe(traffic.Duration)}: watch the request rate move in Prometheus and Grafana.",
            IconName = "DataTrending",
            IconVariant = IconVariant.Regular,
        });
        AddCommand(dataApi, errors, portVariable, apiKey, new CommandOptions
        {
            Description = $"Sends the same traffic for {Describe(errors.Duration)}, a quarter of it answered 500 through the fault switch: HighErrorRate and the availability SLO's burn-rate alerts fire, then resolve once it stops.",
            ConfirmationMessage = $"For {Describe(errors.Duration)}, a quarter of about {DrillRunner.RequestsPerSecond} requests per second will fail with 500. The alerts it fires go to Alertmanager and to any receiver configured there. Go on?",
            IconName = "ErrorCircle",
            IconVariant = IconVariant.Regular,
        });
        return dataApi;
    }

    /// <summary>"60 s", "3 min": what the command's name says about its duration.</summary>
    public static string Describe(TimeSpan duration) =>
        duration.TotalSeconds < 120 || duration.TotalSeconds % 60 != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0} min");

    private static void AddCommand(
        IResourceBuilder<ProjectResource> dataApi, Drill drill, string portVariable, IResourceBuilder<ParameterResource>? apiKey, CommandOptions options)
    {
        options.UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;
        dataApi.WithCommand(drill.Name, $"{drill.Title} ({Describe(drill.Duration)})", async context =>
        {
            var key = apiKey is null ? null : await apiKey.Resource.GetValueAsync(context.CancellationToken);
            return context.Services.GetRequiredService<DrillRunner>().Start(drill, context.ResourceName, portVariable, key, context.Logger);
        }, options);
    }

    private static TimeSpan ReadDuration(IConfiguration configuration, string settingName, int defaultSeconds)
    {
        var setting = configuration[settingName];
        if (string.IsNullOrEmpty(setting))
        {
            return TimeSpan.FromSeconds(defaultSeconds);
        }
        if (!int.TryParse(setting, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > MaxSeconds)
        {
            throw new AppHostSettingException($"{settingName} must be a whole number of seconds from 1 to {MaxSeconds} (got '{setting}').");
        }
        return TimeSpan.FromSeconds(seconds);
    }
}

/// <param name="Name">The command's name.</param>
/// <param name="Title">The command's display name, before its duration.</param>
/// <param name="Duration">How long it sends requests.</param>
/// <param name="FaultEvery">Every this many requests, one asks for a 500; 0 for none.</param>
public sealed record Drill(string Name, string Title, TimeSpan Duration, int FaultEvery);
