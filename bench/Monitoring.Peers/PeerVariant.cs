namespace Monitoring.Peers;

/// <summary>Which metrics stack, if any, sits in front of the benchmark route.</summary>
internal enum PeerVariant
{
    /// <summary>Kestrel and routing only: the ceiling every other variant is compared with.</summary>
    Bare,

    /// <summary>prometheus-net.AspNetCore: <c>UseHttpMetrics</c> and <c>MapMetrics</c>.</summary>
    PrometheusNet,

    /// <summary>OpenTelemetry's ASP.NET Core metrics instrumentation and its Prometheus scraping endpoint.</summary>
    OpenTelemetry,
}

internal static class PeerVariants
{
    public static bool TryParse(string? text, out PeerVariant variant)
    {
        switch (text)
        {
            case "bare":
                variant = PeerVariant.Bare;
                return true;
            case "prometheus-net":
                variant = PeerVariant.PrometheusNet;
                return true;
            case "otel":
                variant = PeerVariant.OpenTelemetry;
                return true;
            default:
                variant = default;
                return false;
        }
    }
}
