using Monitoring.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
try
{
    // Every resource and its wiring, top to bottom, is in AppModel.cs.
    AppModel.AddResources(builder);
}
catch (AppHostSettingException exception)
{
    // A bad setting: one line that names it, no stack trace.
    await Console.Error.WriteLineAsync(exception.Message);
    return 1;
}
await builder.Build().RunAsync();
return 0;
