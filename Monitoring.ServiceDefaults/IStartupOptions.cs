using Microsoft.Extensions.Configuration;

namespace Monitoring.ServiceDefaults;

/// <summary>
/// Options that <see cref="StartupOptions.AddStartupOptions{TOptions, TValidator}"/> binds. Each type binds itself,
/// with <c>configuration.Bind(options)</c> on its own concrete type: the configuration binder's source generator
/// writes the binding code only for calls whose type it sees, and a generic call would bind by reflection, which the
/// native (AOT) executable cannot do.
/// </summary>
public interface IStartupOptions<in TSelf>
    where TSelf : class
{
    /// <summary>Sets <paramref name="options"/> from the root of <paramref name="configuration"/>.</summary>
    static abstract void BindFrom(IConfiguration configuration, TSelf options);
}
