using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

/// <summary>
/// Listens on HOST:PORT when nothing else says where to listen. An orchestrator (the Aspire AppHost) or an operator
/// that sets ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS wins.
/// </summary>
public sealed class StandaloneListenerSetup(IOptions<ServiceOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public static bool IsAddressConfiguredElsewhere(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey]);

    public void Configure(KestrelServerOptions kestrel)
    {
        var (host, port) = (options.Value.Host, options.Value.Port);
        if (options.Value.ListensOnAllInterfaces)
        {
            kestrel.ListenAnyIP(port);
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host), port);
        }
    }
}
