using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Monitoring.DataApi.Configuration;

/// <summary>Turns a start-up configuration error into the one line an operator needs, naming the variable.</summary>
public static partial class ConfigurationFailure
{
    public static bool TryDescribe(Exception exception, out string message)
    {
        var reasons = new List<string>();
        if (!Collect(exception, reasons))
        {
            message = string.Empty;
            return false;
        }
        message = "Invalid configuration: " + string.Join(" ", reasons.Distinct());
        return true;
    }

    private static bool Collect(Exception exception, List<string> reasons)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                reasons.AddRange(validation.Failures);
                return true;
            case InvalidOperationException binding when BinderFailure().Match(binding.Message) is { Success: true } match:
                reasons.Add($"{match.Groups["key"].Value} must be {Describe(match.Groups["type"].Value)} (got '{match.Groups["value"].Value}').");
                return true;
            case AggregateException aggregate:
                return aggregate.Flatten().InnerExceptions.All(inner => Collect(inner, reasons));
            default:
                return false;
        }
    }

    private static string Describe(string typeName) => typeName switch
    {
        "System.Int32" or "System.Int64" => "an integer",
        "System.Double" => "a number",
        "System.Boolean" => "true or false",
        _ => "a " + typeName,
    };

    // The binder's message: "Failed to convert configuration value 'abc' at 'PORT' to type 'System.Int32'."
    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderFailure();
}
