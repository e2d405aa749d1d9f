using Monitoring.DataApi;
using Monitoring.DataApi.Configuration;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceDefaults();
    builder.AddDataApi();

    var app = builder.Build();
    await app.PrepareDataApiAsync();
    app.UseDataApiPipeline();
    app.MapDataApiEndpoints();

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (ConfigurationFailure.TryDescribe(exception, out var message))
{
    await Console.Error.WriteLineAsync(message);
    return 1;
}

public partial class Program;
