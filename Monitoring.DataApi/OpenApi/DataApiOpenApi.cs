using Monitoring.DataApi.Endpoints;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;
using Scalar.AspNetCore;

namespace Monitoring.DataApi.OpenApi;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and, in Development, the Scalar API reference (<c>/scalar</c>).</summary>
public static class DataApiOpenApi
{
    public static IServiceCollection AddDataApiOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, context, _) =>
            {
                var service = context.ApplicationServices.GetRequiredService<IOptions<ServiceOptions>>().Value;
                document.Info.Title = service.Name;
                document.Info.Version = service.Version;
                document.Info.Description = "Durable key/value data service with Prometheus metrics (GET /metrics). Every error is application/problem+json (RFC 9457).";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.HttpMethod == HttpMethods.Post
                    && context.Description.RelativePath == "data"
                    && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                {
                    body.Example = JsonNode.Parse("""{"key": "greeting", "value": {"text": "hello", "tags": ["a", "b"]}}""");
                }
                return Task.CompletedTask;
            });
        });

    public static WebApplication MapDataApiOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowHead();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        return app;
    }
}
