using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.Data.Postgres;
using Monitoring.DataApi.Diagnostics;
using Monitoring.DataApi.Endpoints;
using Monitoring.DataApi.Metrics;
using Monitoring.DataApi.OpenApi;
using Monitoring.DataApi.Problems;
using Monitoring.DataApi.Security;
using Monitoring.ServiceDefaults;

namespace Monitoring.DataApi;

public static class DataApiServiceCollectionExtensions
{
    /// <summary>
    /// Options, store, metrics and problem details of the DataApi. Call it after <c>AddServiceDefaults</c>, whose
    /// metrics switch (<see cref="MetricsExportOptions"/>) it reads.
    /// </summary>
    public static WebApplicationBuilder AddDataApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddStartupOptions<ServiceOptions, ServiceOptionsValidator>(configuration);
        services.AddStartupOptions<ProcessMetricsOptions, ProcessMetricsOptionsValidator>(configuration);
        var dataStore = services.AddStartupOptions<DataStoreOptions, DataStoreOptionsValidator>(configuration);
        services.AddStartupOptions<ConnectionOptions, ConnectionOptionsValidator>(configuration);
        var apiKey = services.AddStartupOptions<ApiKeyOptions, ApiKeyOptionsValidator>(configuration);
        var faultInjection = services.AddStartupOptions<FaultInjectionOptions, FaultInjectionOptionsValidator>(configuration);
        var features = new DataApiFeatures(
            Metrics: MetricsExportOptions.Get(builder).Enabled,
            ApiKey: apiKey.IsRequired,
            FaultInjection: faultInjection.Enabled,
            Store: DataStoreSelection.Decide(dataStore, configuration));
        services.AddSingleton(features);

        // A background service that fails (the process sampler, say) must not take the API down with it; it logs its
        // failure and the host keeps serving.
        services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);

        if (!StandaloneListenerSetup.IsAddressConfiguredElsewhere(configuration))
        {
            services.AddSingleton<IConfigureOptions<KestrelServerOptions>, StandaloneListenerSetup>();
        }
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ConnectionLimitSetup>();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The application refuses bodies past its own limit (DataApiLimits.MaxBodyBytes); the server's limit is
            // what it drains of a body left unread, so that a client that sends it all before reading (no Expect:
            // 100-continue) reads the 413 or 405 instead of a reset.
            kestrel.Limits.MaxRequestBodySize = DataApiLimits.MaxDrainedBodyBytes;
            kestrel.Limits.MaxRequestLineSize = DataApiLimits.MaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = DataApiLimits.MaxHeadersTotalBytes;
            kestrel.Limits.MaxRequestHeaderCount = DataApiLimits.MaxHeaderCount;
        });

        // Registered before AddProblemDetails so that it is asked first.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails();
        // A client's fault found while reading its body (a 408 stall, a 400 bad chunk) stays that client's 4xx.
        services.AddExceptionHandler<ClientFaultHandler>();
        services.AddRequestDecompression();
        services.TryAddSingleton(TimeProvider.System);

        if (features.ApiKey)
        {
            services.AddApiKeyAuthentication(apiKey);
        }

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.MaxDepth = DataApiLimits.MaxResponseJsonDepth;
            // First in the chain: the DataApi's generated contracts answer for its types in either build.
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, DataApiJsonContext.Default);
        });

        services.AddDataApiOpenApi();
        AddStore(builder, features);
        AddMetrics(builder, features);

        return builder;
    }

    private static void AddStore(WebApplicationBuilder builder, DataApiFeatures features)
    {
        if (features.Store == DataStoreKind.Postgres)
        {
            builder.Services.AddSingleton(DataStoreLocation.ResolvePostgres);
            // Aspire's client integration: one pooled NpgsqlDataSource, its health check (in /health), and Npgsql's
            // metrics and traces in the service's OpenTelemetry pipeline.
            builder.AddNpgsqlDataSource(DataStoreOptions.ConnectionStringName,
                configureSettings: settings =>
                {
                    // Only into pipelines the service has: no traces without an exporter, no MeterProvider with metrics off.
                    settings.DisableTracing = !TraceExport.IsEnabled(builder.Configuration);
                    settings.DisableMetrics = !features.Metrics;
                },
                configureDataSourceBuilder: PostgresDataStore.Configure);
            builder.Services.AddSingleton<IDataStore, PostgresDataStore>();
        }
        else
        {
            builder.Services.AddSingleton(DataStoreLocation.Resolve);
            builder.Services.AddSingleton<DataStoreDiskSpace>();
            builder.Services.AddSingleton<IDataStore, SqliteDataStore>();
        }
        builder.Services.AddExceptionHandler<DataStoreFaultHandler>();
        builder.Services.AddHealthChecks().AddCheck<DataStoreHealthCheck>("data-store", tags: [HealthEndpoints.ReadyTag]);
    }

    /// <summary>The meter factory and the DataApi's instruments; options and a TimeProvider come from the caller.</summary>
    public static IServiceCollection AddDataApiMetrics(this IServiceCollection services) => services
        .AddMetrics()
        .AddSingleton<ProcessSampler>()
        .AddSingleton<DataApiMetrics>();

    private static void AddMetrics(WebApplicationBuilder builder, DataApiFeatures features)
    {
        builder.Services.AddDataApiMetrics();
        if (!features.Metrics)
        {
            return;
        }
        builder.Services.AddHostedService<ProcessSamplingService>();
        // Local: only the meter this host's IMeterFactory created. AddMeter would match by name every DataApi meter in the
        // process, so two hosts in one process (test servers) would mix their requests and retire each other's streams.
        builder.Metrics.EnableMetrics(DataApiMetrics.MeterName, scopes: MeterScope.Local);
        builder.Services.Configure<MetricStreamOptions>(streams =>
        {
            streams.DroppedInstruments.UnionWith(FrameworkHttpMetrics.Duplicates);
            // Instruments without tags have one series: the SDK's minimum room instead of its default for 2,000 (docs/performance.md).
            foreach (var instrument in DataApiMetrics.ProcessInstruments)
            {
                streams.CardinalityLimits[(DataApiMetrics.MeterName, instrument)] = 1;
            }
        });
    }
}
