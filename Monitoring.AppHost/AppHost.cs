using Monitoring.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
// Every resource and its wiring, top to bottom, is in AppModel.cs.
AppModel.AddResources(builder);
builder.Build().Run();
