using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>
/// An <see cref="IServer"/> without sockets or parsing: a request is a feature collection handed to the host's
/// <see cref="IHttpApplication{TContext}"/> on the caller's thread, as Kestrel hands over a parsed request. Everything
/// from hosting on (its diagnostics and metrics, routing, the middleware, the endpoint, the response body) is the
/// application's own; what is left out is what every variant would pay the same for.
/// </summary>
internal sealed class InMemoryServer : IServer
{
    private Func<InMemoryExchange, Task>? _process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _process = exchange => ProcessAsync(application, exchange);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    /// <summary>Sends one request and returns once the application has completed it.</summary>
    public async Task<InMemoryExchange> SendAsync(string method, string path)
    {
        var process = _process ?? throw new InvalidOperationException("The server has not been started.");
        var exchange = new InMemoryExchange(method, path);
        await process(exchange);
        return exchange;
    }

    private static async Task ProcessAsync<TContext>(IHttpApplication<TContext> application, InMemoryExchange exchange)
        where TContext : notnull
    {
        var context = application.CreateContext(exchange.Features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context);
            await exchange.Response.CompleteAsync();
        }
        catch (Exception exception)
        {
            failure = exception;
            exchange.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        await exchange.Response.FireOnCompletedAsync();
        application.DisposeContext(context, failure);
    }
}
