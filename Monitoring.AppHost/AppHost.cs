using Monitoring.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

builder.AddMonitoringStack();

builder.Build().Run();
