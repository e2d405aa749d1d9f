var builder = DistributedApplication.CreateBuilder(args);

var dataApi = builder.AddProject<Projects.Monitoring_DataApi>("dataapi")
    .WithHttpEndpoint(env: "PORT")
    .WithHttpHealthCheck("/health/ready");

builder.Build().Run();
