using Microsoft.Extensions.Configuration;
using Monitoring.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Security;

/// <summary><c>API_KEY</c>: when set, POST and DELETE require it in the <c>X-API-Key</c> header; unset, writes are open.</summary>
public sealed class ApiKeyOptions : IStartupOptions<ApiKeyOptions>
{
    public static void BindFrom(IConfiguration configuration, ApiKeyOptions options) => configuration.Bind(options);

    public const string Setting = "API_KEY";

    /// <summary>Keys shorter than this are refused at start: a short key is guessable whatever the comparison.</summary>
    public const int MinLength = 16;

    [ConfigurationKeyName(Setting)]
    public string? Key { get; set; }

    public bool IsRequired => !string.IsNullOrEmpty(Key);
}

public sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    // The message gives the key's length, never the key.
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options) =>
        options.IsRequired && options.Key!.Length < ApiKeyOptions.MinLength
            ? ValidateOptionsResult.Fail($"{ApiKeyOptions.Setting} must be at least {ApiKeyOptions.MinLength} characters long (got {options.Key.Length}).")
            : ValidateOptionsResult.Success;
}
