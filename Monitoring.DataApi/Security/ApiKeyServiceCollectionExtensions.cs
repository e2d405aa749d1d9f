using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Security;

public static class ApiKeyServiceCollectionExtensions
{
    /// <summary>True when <c>API_KEY</c> is set: only then are authentication and authorization in the pipeline at all.</summary>
    public static bool IsApiKeyRequired(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[ApiKeyOptions.Setting]);

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var key = configuration[ApiKeyOptions.Setting]!;
        if (key.Length < ApiKeyOptions.MinLength)
        {
            throw new OptionsValidationException(ApiKeyOptions.Setting, typeof(ApiKeyOptions),
                [$"{ApiKeyOptions.Setting} must be at least {ApiKeyOptions.MinLength} characters long (got {key.Length})."]);
        }

        services.AddAuthentication()
            .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(ApiKeyOptions.Scheme, options => options.UseKey(key));
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyOptions.WritePolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyOptions.Scheme)
                .RequireAuthenticatedUser());
        return services;
    }
}
