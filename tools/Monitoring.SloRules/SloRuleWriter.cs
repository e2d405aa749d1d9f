using System.Globalization;
using System.Text;

namespace Monitoring.SloRules;

/// <summary>
/// Writes prometheus/slo-rules.yml from a <see cref="SloSpecification"/>: per SLO one rule group with the recording
/// rules of its error ratio and its burn-rate alerts. The output depends on nothing but the specification, so that
/// the committed file can be compared with a fresh one.
/// </summary>
internal static class SloRuleWriter
{
    public const string ObjectiveRecord = "slo:objective:ratio";
    public const string RequestsRecord = "slo:sli_requests:rate5m";
    public const string ErrorsRecord = "slo:sli_errors:rate5m";

    /// <summary>The window whose request and error rates are recorded as well, for the error budget over the compliance window.</summary>
    public const string RateWindow = "5m";

    public static string ErrorRatioRecord(PromDuration window) => $"slo:sli_error:ratio_rate{window}";

    public static string Write(SloSpecification specification)
    {
        var text = new StringBuilder();
        var ratioWindows = specification.RatioWindows;
        text.Append(CultureInfo.InvariantCulture, $"""
            # GENERATED from prometheus/slos.yml by tools/Monitoring.SloRules: do not edit. Change slos.yml and run
            #
            #   dotnet run --project tools/Monitoring.SloRules
            #
            # A test fails when this file is not what slos.yml generates. docs/operations.md#slos explains the SLOs.
            #
            # Per SLO (label slo) of a job (label job):
            #   {ObjectiveRecord}              the objective, a constant (0.999 for 99.9 %)
            #   {RequestsRecord}          the requests per second that count, over {RateWindow}
            #   {ErrorsRecord}            the bad ones among them
            #   slo:sli_error:ratio_rate<window>  bad / all over {string.Join(", ", ratioWindows)}; 0 without requests
            # The error budget left over {specification.Window} is 1 - sum_over_time({ErrorsRecord}[{specification.Window}])
            #   / sum_over_time({RequestsRecord}[{specification.Window}]) / (1 - objective).
            # A burn rate is an error ratio divided by the budget (1 - objective). The alerts of each SLO, when the burn rate
            # exceeds the threshold over both windows:
            {string.Join("\n", specification.Alerts.Select(alert => $"#   <alert>{alert.Suffix} ({alert.Severity}): {Conditions(alert)}"))}
            groups:

            """);

        foreach (var slo in specification.Slos)
        {
            text.Append(CultureInfo.InvariantCulture, $"""
                  - name: slo-{slo.Name}
                    rules:
                      - record: {ObjectiveRecord}
                        expr: vector({Number(slo.Objective)})
                        labels:
                          job: {slo.Job}
                          slo: {slo.Name}

                """);
            Record(text, RequestsRecord, slo, Requests(slo, RateWindow));
            Record(text, ErrorsRecord, slo, Errors(slo, RateWindow));
            foreach (var window in ratioWindows)
            {
                // bad / all, and 0 rather than NaN (0 / 0) for a window without requests: nothing failed.
                var (errors, requests) = window.Text == RateWindow
                    ? ($"{ErrorsRecord}{{slo=\"{slo.Name}\"}}", $"{RequestsRecord}{{slo=\"{slo.Name}\"}}")
                    : (Errors(slo, window.Text), Requests(slo, window.Text));
                Record(text, ErrorRatioRecord(window), slo, $"{errors}\n  / ({requests} > 0)\nor {requests} * 0");
            }
            foreach (var alert in specification.Alerts)
            {
                Alert(text, specification, slo, alert);
            }
        }
        return text.ToString();
    }

    private static void Record(StringBuilder text, string name, Slo slo, string expr)
    {
        text.Append(CultureInfo.InvariantCulture, $"""
                  - record: {name}
                    expr: |

            """);
        Block(text, expr, 10);
        text.Append(CultureInfo.InvariantCulture, $"""
                    labels:
                      slo: {slo.Name}

            """);
    }

    private static void Alert(StringBuilder text, SloSpecification specification, Slo slo, BurnRateAlert alert)
    {
        var name = slo.Alert + alert.Suffix;
        var budget = Number(slo.Budget);
        var branches = alert.Conditions.Select(condition =>
            $$"""
            (
              {{ErrorRatioRecord(condition.Long)}}{slo="{{slo.Name}}"} / {{budget}} > {{Number(condition.BurnRate)}}
                and
              {{ErrorRatioRecord(condition.Short)}}{slo="{{slo.Name}}"} / {{budget}} > {{Number(condition.BurnRate)}}
            )
            """);
        var summary = $"{{{{ $labels.job }}}} {slo.Title} SLO: the error budget burns {(alert.Severity == "critical" ? "fast" : "steadily")}";
        var description =
            $"{{{{ $labels.job }}}} spends the error budget of its {slo.Title} SLO, {Percent(slo.Objective)} of the requests over "
            + $"{specification.Window} {slo.Description}, at {{{{ printf `%.3g` $value }}}}× the rate the SLO allows over the long window of "
            + $"{(alert.Conditions.Count > 1 ? "the condition that holds" : "the condition")}: {Conditions(alert)}.";

        text.Append(CultureInfo.InvariantCulture, $"""
                  - alert: {name}
                    expr: |

            """);
        Block(text, string.Join("\nor\n", branches), 10);
        text.Append(CultureInfo.InvariantCulture, $"""
                    labels:
                      severity: {alert.Severity}
                      slo: {slo.Name}
                    annotations:
                      summary: {Quoted(summary)}
                      description: {Quoted(description)}
                      runbook_url: {Quoted($"docs/operations.md#{name.ToLowerInvariant()}")}
                      dashboard: {Quoted("/d/monitoring-slos?var-job={{ $labels.job }}")}

            """);
    }

    /// <summary>"14.4× over 1h and 5m, or 6× over 6h and 30m".</summary>
    private static string Conditions(BurnRateAlert alert) =>
        string.Join(", or ", alert.Conditions.Select(condition => $"{Number(condition.BurnRate)}× over {condition.Long} and {condition.Short}"));

    /// <summary>The job's requests per second over the window that count for the SLO.</summary>
    private static string Requests(Slo slo, string window) => $"sum by (job) (rate({slo.Requests.With(slo.Job, slo.Filter)}[{window}]))";

    /// <summary>
    /// The bad requests per second: the errors, or 0 when there are none (a job that never failed has no 5xx series, and
    /// its SLI is 100 %, not missing); or all requests minus the good ones.
    /// </summary>
    private static string Errors(Slo slo, string window) => slo.Errors is { } errors
        ? $"(sum by (job) (rate({errors.With(slo.Job, slo.Filter)}[{window}])) or 0 * {Requests(slo, window)})"
        : $"({Requests(slo, window)} - sum by (job) (rate({slo.Good!.With(slo.Job, slo.Filter)}[{window}])))";

    private static void Block(StringBuilder text, string lines, int indent)
    {
        foreach (var line in lines.Split('\n'))
        {
            text.Append(' ', indent).Append(line).Append('\n');
        }
    }

    private static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Percent(decimal ratio) => Number(ratio * 100) + " %";

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
