using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var stack = StackModeSelector.Select(builder.Configuration);

var dataApi = builder.AddProject<Projects.Monitoring_DataApi>("dataapi")
    .WithHttpEndpoint(env: "PORT")
    .WithHttpHealthCheck("/health/ready")
    .WithUrlForEndpoint("http", url => url.DisplayText = "DataApi");

var prometheus = builder.AddPrometheus("prometheus", "../prometheus", scraped: dataApi, stack);

if (stack.Mode == StackMode.Containers)
{
    var grafanaPassword = builder.AddParameter("grafana-admin-password", new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
    builder.AddGrafana("grafana", "../grafana", prometheus, grafanaPassword);
}

var app = builder.Build();
app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.AppHost").LogStack(stack);
app.Run();
