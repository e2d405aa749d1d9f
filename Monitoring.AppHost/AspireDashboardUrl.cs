using Microsoft.Extensions.Configuration;

namespace Monitoring.AppHost;

/// <summary>
/// The address a browser opens the Aspire dashboard at, as the AppHost itself learns it: the first of
/// <c>ASPNETCORE_URLS</c> (the launch profile's applicationUrl). Other resources get it from here, so that a link they
/// show follows the dashboard wherever the profile or a test puts it.
/// </summary>
public static class AspireDashboardUrl
{
    public const string Setting = "ASPNETCORE_URLS";

    /// <summary>The dashboard's base address without a trailing slash, or null when none is configured.</summary>
    public static string? Read(IConfiguration configuration)
    {
        var first = configuration[Setting]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(first) ? null : first.TrimEnd('/');
    }
}
