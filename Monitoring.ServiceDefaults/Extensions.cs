using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every service of the solution shares: OpenTelemetry (metrics, traces, logs),
/// health checks, service discovery and HttpClient resilience. Knows nothing about any particular service.
/// </summary>
public static class Extensions
{
    /// <summary>Health checks carrying this tag are part of readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Health checks carrying this tag are part of liveness (<c>/health/live</c>).</summary>
    public const string LiveTag = "live";

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// <c>METRICS_ENABLED=false</c> removes metrics altogether: no MeterProvider, no exporter, no <c>/metrics</c>.
    /// The benchmark's baseline; a service can read it too to drop its own recording.
    /// </summary>
    public const string MetricsEnabledSetting = "METRICS_ENABLED";
    public const string ReadinessPath = "/health/ready";
    public const string LivenessPath = "/health/live";

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

        if (IsMetricsEnabled(builder.Configuration))
        {
            // A limit below 1 would make the view throw, and the SDK would quietly fall back to its defaults for that instrument.
            builder.Services.AddOptions<MetricStreamOptions>()
                .Validate(MetricStreamOptions.HasValidLimits, "Every metric stream cardinality limit must be at least 1.")
                .ValidateOnStart();
            builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) => metrics.AddView(
                new MetricStreamPolicy(services.GetRequiredService<IOptions<MetricStreamOptions>>().Value).Configure));
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // The scrape endpoint is a second reader on the same MeterProvider as OTLP: one source of truth.
                    .AddPrometheusExporter(ConfigurePrometheusExporter));
        }

        // Traces go only to OTLP: without a collector to send them to, recording them would cost every request for nothing.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
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

    /// <summary>True unless <see cref="MetricsEnabledSetting"/> is false; a value that is not a boolean fails the start.</summary>
    public static bool IsMetricsEnabled(IConfiguration configuration) => configuration.GetValue(MetricsEnabledSetting, true);

    private static void ConfigurePrometheusExporter(PrometheusAspNetCoreOptions options)
    {
        // Names and labels on /metrics are exactly the instruments' own: no otel_scope_* labels, no target_info.
        options.ScopeInfoEnabled = false;
        options.TargetInfoEnabled = false;
        // Every scrape sees the measurements recorded up to that moment.
        options.ScrapeResponseCacheDurationMilliseconds = 0;
    }

    private static bool IsOperationalPath(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("The process is running."), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health/ready</c> (checks tagged <see cref="ReadyTag"/>), <c>/health/live</c> (checks tagged
    /// <see cref="LiveTag"/>) and, unless metrics are disabled, the Prometheus scraping endpoint <c>/metrics</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        if (IsMetricsEnabled(app.Configuration))
        {
            var allowList = ScrapeAllowList.FromConfiguration(app.Configuration);
            app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: scrape =>
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
