using Microsoft.Extensions.Options;
using Monitoring.DataApi;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.Diagnostics;
using Monitoring.DataApi.Endpoints;
using Monitoring.DataApi.Metrics;
using Monitoring.DataApi.OpenApi;
using Monitoring.DataApi.Security;

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddServiceDefaults();
    builder.AddDataApi();

    var app = builder.Build();
    // Every option is checked here, before the host starts, so that a bad value ends the process with one line.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    await app.InitializeDataStoreAsync();

    app.UseMiddleware<AbsoluteFormPathMiddleware>();
    app.UseRouting();
    if (Extensions.IsMetricsEnabled(app.Configuration))
    {
        app.UseMiddleware<HttpMetricsMiddleware>();
    }
    app.UseMiddleware<SecurityHeadersMiddleware>();
    app.UseExceptionHandler();
    // After the metrics, which count the bytes on the wire; gzip, br and deflate bodies are decoded, other encodings stay
    // and get a 415 from the endpoint that reads the body.
    app.UseRequestDecompression();
    app.UseStatusCodePages();
    if (FaultInjectionMiddleware.IsEnabled(app.Configuration, app.Environment))
    {
        app.UseMiddleware<FaultInjectionMiddleware>();
    }
    if (ApiKeyServiceCollectionExtensions.IsApiKeyRequired(app.Configuration))
    {
        // Here rather than first, so that a 401 is counted by the metrics and written as a problem.
        app.UseAuthentication();
        app.UseAuthorization();
    }

    app.MapServiceEndpoints();
    app.MapDataEndpoints();
    app.MapDefaultEndpoints();
    app.MapDataApiOpenApi();

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (ConfigurationFailure.TryDescribe(exception, out var message))
{
    await Console.Error.WriteLineAsync(message);
    return 1;
}

public partial class Program;
