using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.ServiceDefaults;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// The Aspire template's namespace, so that a service calls AddServiceDefaults and MapDefaultEndpoints without a using;
// the types these methods configure live in Monitoring.ServiceDefaults.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every service of the solution shares: OpenTelemetry (metrics, traces, logs),
/// health checks, service discovery and HttpClient resilience. Knows nothing about any particular service.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var metricsExport = builder.Services.AddStartupOptions<MetricsExportOptions, MetricsExportOptionsValidator>(builder.Configuration);
        builder.Properties[typeof(MetricsExportOptions)] = metricsExport;
        if (metricsExport.Enabled)
        {
            // A limit below 1 would make the view throw, and the SDK would quietly fall back to its defaults for that instrument.
            builder.Services.AddOptions<MetricStreamOptions>()
                .Validate(MetricStreamOptions.HasValidLimits, "Every metric stream cardinality limit must be at least 1.")
                .ValidateOnStart();
            builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) => metrics.AddView(
                new MetricStreamPolicy(services.GetRequiredService<IOptions<MetricStreamOptions>>().Value).Configure));
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics
                    // A measurement recorded inside a sampled trace may become an exemplar: OTLP carries it to the
                    // Aspire dashboard's charts and OpenMetrics scrapes to Prometheus, each linking to that trace. The
                    // SDK's default records none; set here, it holds whatever OTEL_METRICS_EXEMPLAR_FILTER says.
                    .SetExemplarFilter(ExemplarFilterType.TraceBased)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // The scrape endpoint is a second reader on the same MeterProvider as OTLP: one source of truth.
                    .AddPrometheusExporter(ConfigurePrometheusExporter));
        }

        if (TraceExport.IsEnabled(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddAspNetCoreInstrumentation(options =>
                        // Scrapes and probes every few seconds would drown the traces people look for.
                        options.Filter = context => !IsOperationalPath(context.Request.Path))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return builder;
    }

    private static void ConfigurePrometheusExporter(PrometheusAspNetCoreOptions options)
    {
        // Names and labels on /metrics are exactly the instruments' own: no otel_scope_* labels, no target_info.
        options.ScopeInfoEnabled = false;
        options.TargetInfoEnabled = false;
        // Every scrape sees the measurements recorded up to that moment.
        options.ScrapeResponseCacheDurationMilliseconds = 0;
    }

    private static bool IsOperationalPath(PathString path) =>
        path.StartsWithSegments(MetricsExportOptions.ScrapePath) || HealthEndpoints.IsHealthPath(path);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("The process is running."), [HealthEndpoints.LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps the health probes (<see cref="HealthEndpoints"/>) and, unless metrics are disabled, the Prometheus scraping
    /// endpoint <c>/metrics</c>, limited to <see cref="MetricsExportOptions.AllowedNetworks"/> when that is set.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthProbes();

        var metricsExport = app.Services.GetRequiredService<IOptions<MetricsExportOptions>>().Value;
        if (metricsExport.Enabled)
        {
            // The value was validated before the host started (MetricsExportOptionsValidator).
            _ = ScrapeAllowList.TryParse(metricsExport.AllowedNetworks, out var allowList, out _);
            app.MapPrometheusScrapingEndpoint(MetricsExportOptions.ScrapePath, meterProvider: null, configureBranchedPipeline: scrape =>
            {
                if (allowList is not null)
                {
                    scrape.Use(allowList.InvokeAsync);
                }
            }, optionsName: null);
        }

        return app;
    }
}
