using System.Globalization;
using Monitoring.Peers;
using OpenTelemetry.Metrics;
using Prometheus;

// The load benchmark's bare and peer servers: the DataApi's GET /data/{key} route, with one metrics stack or none.
// Usage: Monitoring.Peers --variant bare|prometheus-net|otel [--port N] [--value JSON] [--data-routes]; PORT and HOST
// work as well. --data-routes serves GET /data/{key} and POST /data from memory instead of the one seeded item (the
// data-path benchmark's ceiling).
var variantText = ArgumentValue(args, "--variant");
if (!PeerVariants.TryParse(variantText, out var variant))
{
    await Console.Error.WriteLineAsync("--variant must be bare, prometheus-net or otel.");
    return 2;
}

// Content root beside the assembly, so that its appsettings.json (the DataApi's log levels) is read from any working folder.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
var host = builder.Configuration["HOST"] ?? "127.0.0.1";
var portText = ArgumentValue(args, "--port") ?? builder.Configuration["PORT"] ?? "8000";
if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync("--port (or PORT) must be a TCP port number.");
    return 2;
}
var valueJson = ArgumentValue(args, "--value") ?? """{"n":42,"text":"benchmark"}""";
builder.WebHost.UseUrls($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}");

if (variant == PeerVariant.OpenTelemetry)
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter());
}

var app = builder.Build();
app.UseRouting();
if (variant == PeerVariant.PrometheusNet)
{
    app.UseHttpMetrics();
}

if (args.Contains("--data-routes"))
{
    app.MapMemoryStoreRoutes();
}
else
{
    app.MapBenchRoute(valueJson);
}
if (variant == PeerVariant.PrometheusNet)
{
    app.MapMetrics();
}
else if (variant == PeerVariant.OpenTelemetry)
{
    app.MapPrometheusScrapingEndpoint();
}

await app.RunAsync();
return 0;

static string? ArgumentValue(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
