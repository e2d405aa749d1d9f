using System.Net;
using Microsoft.AspNetCore.Http;

namespace Monitoring.ServiceDefaults;

/// <summary>The networks from <see cref="MetricsExportOptions.AllowedNetworks"/> that may scrape <c>/metrics</c>.</summary>
public sealed class ScrapeAllowList
{
    private readonly IPNetwork[] _networks;

    private ScrapeAllowList(IPNetwork[] networks) => _networks = networks;

    /// <summary>
    /// Parses a comma-separated list of CIDR networks. An absent or empty value gives a null list: every client may
    /// scrape. On failure, <paramref name="badEntry"/> is the first entry that is not a network.
    /// </summary>
    public static bool TryParse(string? value, out ScrapeAllowList? allowList, out string? badEntry)
    {
        allowList = null;
        badEntry = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var networks = new List<IPNetwork>();
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(entry, out var network))
            {
                badEntry = entry;
                return false;
            }
            networks.Add(network);
        }
        allowList = new ScrapeAllowList([.. networks]);
        return true;
    }

    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }
        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The check, as the first step of the scrape endpoint's own pipeline.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next) =>
        Allows(context.Connection.RemoteIpAddress)
            ? next(context)
            : TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Scraping not allowed",
                    detail: $"This client's network is not in {MetricsExportOptions.AllowedNetworksSetting}.")
                .ExecuteAsync(context);
}
