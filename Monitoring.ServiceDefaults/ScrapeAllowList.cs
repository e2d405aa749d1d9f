using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>METRICS_ALLOWED_NETWORKS</c>: when set (for example <c>127.0.0.0/8,::1/128,10.0.0.0/8</c>), only clients from
/// these networks may scrape <c>/metrics</c>; the others get a 403 problem. Unset, the endpoint is open, as
/// Prometheus expects by default. A value that is not a list of CIDR networks fails the start.
/// </summary>
public sealed class ScrapeAllowList
{
    public const string Setting = "METRICS_ALLOWED_NETWORKS";

    private readonly IPNetwork[] _networks;

    private ScrapeAllowList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Null when the setting is absent or empty: every client may scrape.</summary>
    public static ScrapeAllowList? FromConfiguration(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var networks = new List<IPNetwork>();
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(entry, out var network))
            {
                throw new OptionsValidationException(Setting, typeof(ScrapeAllowList),
                    [$"{Setting} must be a comma-separated list of networks in CIDR notation such as 10.0.0.0/8 (got '{entry}')."]);
            }
            networks.Add(network);
        }
        return new ScrapeAllowList([.. networks]);
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
                    detail: $"This client's network is not in {Setting}.")
                .ExecuteAsync(context);
}
