using Microsoft.Extensions.Options;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.Diagnostics;
using Monitoring.DataApi.Endpoints;
using Monitoring.DataApi.Metrics;
using Monitoring.DataApi.OpenApi;
using Monitoring.DataApi.Security;

namespace Monitoring.DataApi;

/// <summary>The DataApi's start-up checks, its request pipeline in order, and its endpoints.</summary>
public static class DataApiApplicationExtensions
{
    /// <summary>
    /// Checks every option before the host starts, so that a bad value ends the process with one line naming it, then
    /// opens the data store (creating its schema).
    /// </summary>
    public static async Task PrepareDataApiAsync(this WebApplication app)
    {
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        await app.InitializeDataStoreAsync();
    }

    public static WebApplication UseDataApiPipeline(this WebApplication app)
    {
        var features = app.Services.GetRequiredService<DataApiFeatures>();

        app.UseMiddleware<AbsoluteFormPathMiddleware>();
        app.UseRouting();
        if (features.Metrics)
        {
            app.UseMiddleware<HttpMetricsMiddleware>();
        }
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseExceptionHandler();
        // After the metrics, which count the bytes on the wire; gzip, br and deflate bodies are decoded, other encodings
        // stay and get a 415 from the endpoint that reads the body.
        app.UseRequestDecompression();
        app.UseStatusCodePages();
        if (features.FaultInjection)
        {
            app.UseMiddleware<FaultInjectionMiddleware>();
        }
        if (features.ApiKey)
        {
            // Here rather than first, so that a 401 is counted by the metrics and written as a problem.
            app.UseAuthentication();
            app.UseAuthorization();
        }
        return app;
    }

    public static WebApplication MapDataApiEndpoints(this WebApplication app)
    {
        app.MapServiceEndpoints();
        app.MapDataEndpoints();
        app.MapDefaultEndpoints();
        app.MapDataApiOpenApi();
        return app;
    }
}
