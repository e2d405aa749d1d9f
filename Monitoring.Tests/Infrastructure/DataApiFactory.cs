using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Monitoring.Tests.Infrastructure;

/// <summary>The DataApi in process, on its own database file in a temporary folder.</summary>
public sealed class DataApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly TemporaryDirectory? _ownedDirectory;
    private string _environment = "Development";

    public DataApiFactory(string? databasePath = null)
    {
        if (databasePath is null)
        {
            _ownedDirectory = new TemporaryDirectory();
            databasePath = Path.Combine(_ownedDirectory.Path, "data.db");
        }
        DatabasePath = databasePath;
        _settings["DATA_PATH"] = databasePath;
    }

    public string DatabasePath { get; }

    public DataApiFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public DataApiFactory WithEnvironment(string environment)
    {
        _environment = environment;
        return this;
    }

    public DataApiFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownedDirectory?.Dispose();
        }
    }
}
