using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Monitoring.ServiceDefaults;

public static class StartupOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from the root of configuration (settings are top-level environment variable
    /// names), has <typeparamref name="TValidator"/> check it before the host starts, and returns the values bound now,
    /// so that a feature can be decided once, while services are registered. A value the binder cannot convert throws
    /// here; one the validator refuses fails the start with every refused setting named.
    /// </summary>
    public static TOptions AddStartupOptions<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        this IServiceCollection services, IConfiguration configuration)
        where TOptions : class, IStartupOptions<TOptions>, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Configure(options => TOptions.BindFrom(configuration, options)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        var now = new TOptions();
        TOptions.BindFrom(configuration, now);
        return now;
    }
}
