namespace Monitoring.DataApi.Security;

public static class ApiKeyServiceCollectionExtensions
{
    /// <summary>The <c>X-API-Key</c> scheme and the policy that POST and DELETE require, for a key that is set.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, ApiKeyOptions apiKey)
    {
        services.AddAuthentication()
            .AddScheme<ApiKeySchemeOptions, ApiKeyAuthenticationHandler>(ApiKeySchemeOptions.Scheme, options => options.UseKey(apiKey.Key!));
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeySchemeOptions.WritePolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeySchemeOptions.Scheme)
                .RequireAuthenticatedUser());
        return services;
    }
}
