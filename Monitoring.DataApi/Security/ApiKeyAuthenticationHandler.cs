using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Security;

/// <summary>Authenticates a request by its <c>X-API-Key</c> header; a missing or wrong key gets a 401 problem.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeySchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IProblemDetailsService problemDetails)
    : AuthenticationHandler<ApiKeySchemeOptions>(options, logger, encoder)
{
    private static readonly ClaimsPrincipal Writer = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], ApiKeySchemeOptions.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var supplied = Request.Headers[ApiKeySchemeOptions.HeaderName];
        if (supplied.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(supplied.Count == 1 && Options.Matches(supplied[0]!)
            ? AuthenticateResult.Success(new AuthenticationTicket(Writer, ApiKeySchemeOptions.Scheme))
            : AuthenticateResult.Fail("The API key does not match."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{ApiKeySchemeOptions.Scheme} header=\"{ApiKeySchemeOptions.HeaderName}\"";
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = $"Writes need the service's API key in the {ApiKeySchemeOptions.HeaderName} header.",
            },
        });
    }
}
