using System.Net;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

public sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("APP_NAME must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(options.Version))
        {
            failures.Add("APP_VERSION must not be empty.");
        }
        if (!options.ListensOnAllInterfaces
            && !string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            && !IPAddress.TryParse(options.Host, out _))
        {
            failures.Add($"HOST must be an IP address, 'localhost' or '0.0.0.0' (got '{options.Host}').");
        }
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"PORT must be between 1 and 65535 (got {options.Port}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
